// CloudWatch Logs bytes per request that the bench cannot see: Lambda's own lines and API
// Gateway's access log line, sized from real-shaped samples (the app's lines are measured).

/** CloudWatch's per-event size accounting, assumed (each event is billed with some overhead). */
export const CLOUDWATCH_EVENT_OVERHEAD_BYTES = 26;

const eventBytes = (line: string) => Buffer.byteLength(line) + 1 + CLOUDWATCH_EVENT_OVERHEAD_BYTES;

/** START + END + REPORT (with its XRAY line, tracing on) in Lambda's text format. */
export function platformLogBytes(memoryMb: number): number {
  const id = '8f5f8c6e-1a2b-4c3d-9e8f-0a1b2c3d4e5f';
  const lines = [
    `START RequestId: ${id} Version: $LATEST`,
    `END RequestId: ${id}`,
    `REPORT RequestId: ${id}\tDuration: 10034.56 ms\tBilled Duration: 10035 ms\tMemory Size: ${memoryMb} MB\tMax Memory Used: 118 MB\t\nXRAY TraceId: 1-6745a1b2-5ac6c58f5c2ef2b5c0a0a8c3\tSegmentId: 6bb3f5a21f8a2e0b\tSampled: true\t`,
  ];
  return lines.reduce((sum, line) => sum + eventBytes(line), 0);
}

/** One access-log line in `AccessLogFormat.jsonWithStandardFields()` (lib/constructs/api.ts). */
export function accessLogBytes(): number {
  return eventBytes(
    JSON.stringify({
      requestId: '6a1ad136-a95e-b24f-c4aa-892d7ad5f347',
      ip: '203.0.113.10',
      caller: '-',
      user: '-',
      requestTime: '24/Nov/2026:12:00:00 +0000',
      httpMethod: 'POST',
      resourcePath: '/api/proxy/openai/v1/chat/completions',
      status: '200',
      protocol: 'HTTP/1.1',
      responseLength: '14650',
    }),
  );
}
