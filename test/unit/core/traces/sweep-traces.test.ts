import { describe, expect, it } from 'vitest';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { RequestTrace } from '#core/ports/request-trace-store.ts';
import type { AppendOutcome, UsageRetention } from '#core/ports/usage-store.ts';
import { sweepTraces } from '#core/traces/sweep-traces.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { InMemoryRequestTraceStore } from '../../../fakes/in-memory-request-trace-store.ts';
import { InMemoryUsageStore } from '../../../fakes/in-memory-usage-store.ts';
import { RecordingLogger } from '../proxy/proxy-harness.ts';

const START_MS = Date.parse('2026-12-01T10:00:00.000Z');
const MINUTE_MS = 60_000;
/** The default age a trace must reach: 15 minutes (longest request) + 5 minutes of grace. */
const SWEEP_AGE_MS = 20 * MINUTE_MS;
const RETENTION: UsageRetention = { expiresAtEpochSeconds: START_MS / 1000 + 30 * 86_400 };

function interruptedRecord(requestId: string, atMs: number): UsageRecord {
  return {
    requestId,
    accountId: 'acct-1',
    at: new Date(atMs).toISOString(),
    provider: 'openai',
    kind: 'chat',
    model: 'gpt-4o-mini',
    status: 502,
    errorSource: 'metrion',
    errorMessage: 'Metrion stopped before this request ended.',
    inputTokens: 40,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 40,
    costPicoUsd: 40n * 150_000n,
    priceVersion: 'test',
    latencyMs: 0,
    streamed: true,
    cached: false,
    mode: 'stored',
    estimated: true,
    interrupted: true,
  };
}

function trace(requestId: string, atMs: number): RequestTrace {
  return { record: interruptedRecord(requestId, atMs), retention: RETENTION };
}

function setup() {
  const clock = new FakeClock({ startMs: START_MS });
  const usage = new InMemoryUsageStore({ clock });
  const traces = new InMemoryRequestTraceStore({ usage });
  const logger = new RecordingLogger();
  const appends: UsageRecord[] = [];
  let failAppends = false;
  const deps = {
    traces,
    usage: {
      append: async (record: UsageRecord, retention: UsageRetention): Promise<AppendOutcome> => {
        appends.push(record);
        if (failAppends) throw new ServiceUnavailableError('down', { service: 'dynamodb' });
        return usage.append(record, retention);
      },
    },
    clock,
    logger,
  };
  return {
    clock,
    usage,
    traces,
    logger,
    appends,
    deps,
    failAppends: (fail: boolean) => {
      failAppends = fail;
    },
    records: () => usage.listRecent('acct-1', 100),
  };
}

describe('sweepTraces', () => {
  it('records a trace whose request never wrote its own, once it is old enough', async () => {
    // Arrange: a request traced at 10:00 that left no record
    const world = setup();
    await world.traces.put(trace('req-lost', START_MS));

    // Act: one sweep when the trace is 20 minutes old, one just after
    world.clock.advance(SWEEP_AGE_MS);
    const early = await sweepTraces(world.deps);
    world.clock.advance(1);
    const due = await sweepTraces(world.deps);

    // Assert
    expect(early).toMatchObject({ traces: 0, interrupted: 0 });
    expect(due).toMatchObject({ traces: 1, interrupted: 1, failed: 0 });
    expect(await world.records()).toEqual([interruptedRecord('req-lost', START_MS)]);
  });

  it('leaves a trace alone when the request wrote its own record', async () => {
    const world = setup();
    const exact: UsageRecord = {
      ...interruptedRecord('req-done', START_MS),
      status: 200,
      errorSource: undefined,
      errorMessage: undefined,
      outputTokens: 25,
      estimated: undefined,
      interrupted: undefined,
    };
    await world.traces.put(trace('req-done', START_MS));
    await world.usage.append(exact, RETENTION);
    world.clock.advance(SWEEP_AGE_MS + 1);

    const report = await sweepTraces(world.deps);

    expect(report).toMatchObject({ traces: 1, interrupted: 0 });
    expect(world.appends).toEqual([]);
    expect(await world.records()).toEqual([exact]);
  });

  it('never counts a request twice: a second run, and the proxy writing late, find the record', async () => {
    // Arrange: a lost request, swept once
    const world = setup();
    await world.traces.put(trace('req-lost', START_MS));
    world.clock.advance(SWEEP_AGE_MS + 1);
    await sweepTraces(world.deps);

    // Act: a rerun over the same window (its cursor reset), then the proxy's own late write
    await world.traces.setSweptThrough(START_MS - 1);
    const rerun = await sweepTraces(world.deps);
    const late = await world.usage.append(
      { ...interruptedRecord('req-lost', START_MS), status: 200, interrupted: undefined },
      RETENTION,
    );

    // Assert
    expect(rerun).toMatchObject({ traces: 1, interrupted: 0 });
    expect(late).toBe('duplicate');
    expect(await world.records()).toEqual([interruptedRecord('req-lost', START_MS)]);
  });

  it('reads each window once: the next run starts where the last one ended', async () => {
    const world = setup();
    await world.traces.put(trace('req-a', START_MS));
    world.clock.advance(SWEEP_AGE_MS + 1);
    const first = await sweepTraces(world.deps);
    await world.traces.put(trace('req-b', START_MS + 5 * MINUTE_MS));
    world.clock.advance(5 * MINUTE_MS);

    const second = await sweepTraces(world.deps);

    expect(first).toMatchObject({ traces: 1, sweptThroughMs: START_MS + 1 });
    expect(second).toMatchObject({ traces: 1, interrupted: 1 });
    expect(second.sweptThroughMs).toBe(START_MS + 5 * MINUTE_MS + 1);
    expect((await world.records()).map((record) => record.requestId)).toEqual(['req-b', 'req-a']);
  });

  it('keeps a trace whose record could not be written for the next run', async () => {
    // Arrange: two lost requests; the store refuses writes during the first run
    const world = setup();
    await world.traces.put(trace('req-1', START_MS));
    await world.traces.put(trace('req-2', START_MS + MINUTE_MS));
    world.clock.advance(SWEEP_AGE_MS + MINUTE_MS + 1);
    world.failAppends(true);

    // Act
    const failing = await sweepTraces(world.deps);
    world.failAppends(false);
    const retried = await sweepTraces(world.deps);

    // Assert: the cursor stopped at the earliest failure; the retry records both, once
    expect(failing).toMatchObject({ interrupted: 0, failed: 2, sweptThroughMs: START_MS });
    expect(retried).toMatchObject({ interrupted: 2, failed: 0 });
    expect((await world.records()).map((record) => record.requestId)).toEqual(['req-2', 'req-1']);
    expect(world.logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'interrupted record could not be written; the next sweep retries it',
      }),
    );
  });

  it('says how many interrupted records it wrote, as a metric of its log line, and names them', async () => {
    const world = setup();
    await world.traces.put(trace('req-lost', START_MS));
    await world.traces.put(trace('req-recorded', START_MS));
    await world.usage.append(
      { ...interruptedRecord('req-recorded', START_MS), status: 200, interrupted: undefined },
      RETENTION,
    );
    world.clock.advance(SWEEP_AGE_MS + 1);

    await sweepTraces(world.deps);

    expect(world.logger.lines).toContainEqual({
      level: 'info',
      message: 'request traces swept',
      fields: expect.objectContaining({
        traces: 2,
        interrupted: 1,
        interruptedRequestIds: ['req-lost'],
        metrics: { InterruptedRecords: 1 },
      }),
    });
  });

  it('names at most 20 interrupted requests in its log line, and counts them all', async () => {
    const world = setup();
    for (let n = 0; n < 25; n += 1) await world.traces.put(trace(`req-${n}`, START_MS + n));
    world.clock.advance(SWEEP_AGE_MS + MINUTE_MS);

    const report = await sweepTraces(world.deps);

    expect(report.interrupted).toBe(25);
    expect(report.interruptedRequestIds).toHaveLength(20);
    expect(new Set(report.interruptedRequestIds).size).toBe(20);
  });

  it('first looks back as far as traces are kept (7 days), not further', async () => {
    const world = setup();
    const DAY_MS = 86_400_000;
    await world.traces.put(trace('req-old', START_MS));
    await world.traces.put(trace('req-too-old', START_MS - 2 * MINUTE_MS));
    world.clock.set(START_MS + 7 * DAY_MS + SWEEP_AGE_MS - MINUTE_MS);

    const report = await sweepTraces(world.deps);

    expect(report).toMatchObject({ traces: 1, interrupted: 1 });
    expect((await world.records()).map((record) => record.requestId)).toEqual(['req-old']);
  });
});
