import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';

const ALLOWED = 'https://app.example.com';
const PATH = '/api/proxy/openai/v1/chat/completions';
let metrion: LocalMetrion;

beforeAll(async () => {
  metrion = await startLocalMetrion({ corsAllowedOrigins: [ALLOWED], logWrite: () => undefined });
});
afterAll(async () => {
  await metrion?.close();
});

function preflight(origin: string) {
  return fetch(`${metrion.url}${PATH}`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type',
    },
  });
}

describe('proxy CORS allowlist', () => {
  it('answers a preflight from an allowed origin', async () => {
    const response = await preflight(ALLOWED);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('refuses a preflight from any other origin', async () => {
    const response = await preflight('https://evil.example');
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('adds the allow-origin header to answers for allowed origins only', async () => {
    const request = (origin: string) =>
      fetch(`${metrion.url}${PATH}`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: '{}',
      });
    const allowed = await request(ALLOWED);
    expect(allowed.status).toBe(400);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-metrion-request-id');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('x-metrion-cost-usd');
    // A 400 refused before authentication still says how long Metrion took to refuse it.
    expect(allowed.headers.get('access-control-expose-headers')).toContain('server-timing');
    expect(allowed.headers.get('server-timing')).toMatch(
      /^overhead;dur=\d+\.\d;desc="Metrion overhead"$/,
    );
    const other = await request('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
