import { describe, expect, it } from 'vitest';
import { JsonLogger } from '#adapters/system/json-logger.ts';

const METRION_KEY = 'sk-metrion-0123456789abcdef0123456789abcdef';
const OPENAI_KEY = 'sk-proj-0123456789abcdefghij0123456789';
const ANTHROPIC_KEY = 'sk-ant-api03-0123456789abcdefghij';
const GROK_KEY = 'xai-FakeGrok0123456789abcdefABCDEFghijklmnop';
const GEMINI_KEY = 'AIzaSyFakeGemini0123456789abcdefghijklm';

/** A logger whose lines a test reads back as objects. */
function capture(minimumLevel?: 'info' | 'warn' | 'error', metricsNamespace?: string) {
  const lines: string[] = [];
  const logger = new JsonLogger({
    service: 'test',
    write: (line) => lines.push(line),
    ...(minimumLevel === undefined ? {} : { minimumLevel }),
    ...(metricsNamespace === undefined ? {} : { metricsNamespace }),
  });
  const entries = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return { logger, lines, entries };
}

describe('JsonLogger', () => {
  it('writes one JSON line per entry with level, service, time, message and the fields', () => {
    const { logger, lines, entries } = capture();

    logger.info('hello', { requestId: 'r-1', status: 200 });
    logger.error('broke', { requestId: 'r-2' });

    expect(lines).toHaveLength(2);
    expect(entries()).toEqual([
      {
        level: 'info',
        service: 'test',
        time: expect.any(String),
        message: 'hello',
        requestId: 'r-1',
        status: 200,
      },
      {
        level: 'error',
        service: 'test',
        time: expect.any(String),
        message: 'broke',
        requestId: 'r-2',
      },
    ]);
    expect(Number.isNaN(Date.parse(String(entries()[0]?.time)))).toBe(false);
  });

  it('never lets a field override level, service, time or message', () => {
    const { logger, entries } = capture('warn');

    logger.error('alert email sent', {
      level: 'warning',
      service: 'other',
      time: 'then',
      message: 'forged',
      ruleId: 'rule_1',
    });

    expect(entries()).toEqual([
      {
        level: 'error',
        service: 'test',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        message: 'alert email sent',
        field_level: 'warning',
        field_service: 'other',
        field_time: 'then',
        field_message: 'forged',
        ruleId: 'rule_1',
      },
    ]);
  });

  it('drops entries below the minimum level', () => {
    const { logger, entries } = capture('warn');
    logger.info('quiet');
    logger.warn('loud');
    logger.error('louder');
    expect(entries().map((entry) => entry.message)).toEqual(['loud', 'louder']);
  });

  it.each([
    'authorization',
    'Authorization',
    'x-api-key',
    'X-Metrion-Token',
    'apiKey',
    'api_key',
    'apikey',
    'key',
    'secret',
    'password',
    'token',
    'upstreamKey',
    'plaintext',
  ])('replaces the whole value of a field named %s, whatever it holds', (name) => {
    const { logger, lines, entries } = capture();

    logger.warn('request', { [name]: 'hunter2-not-shaped-like-a-key', other: 'kept' });

    expect(entries()[0]).toMatchObject({ [name]: '[REDACTED]', other: 'kept' });
    expect(lines[0]).not.toContain('hunter2');
  });

  it('redacts secret fields nested in objects and arrays', () => {
    const { logger, lines, entries } = capture();

    logger.error('upstream', {
      request: {
        headers: { authorization: 'Bearer opaque-value', 'content-type': 'application/json' },
      },
      attempts: [{ token: 'opaque-1' }, { token: 'opaque-2', note: 'second' }],
    });

    expect(entries()[0]).toMatchObject({
      request: { headers: { authorization: '[REDACTED]', 'content-type': 'application/json' } },
      attempts: [{ token: '[REDACTED]' }, { token: '[REDACTED]', note: 'second' }],
    });
    expect(lines[0]).not.toContain('opaque');
  });

  it.each([
    ['a Metrion Key', METRION_KEY],
    ['an OpenAI key', OPENAI_KEY],
    ['an Anthropic key', ANTHROPIC_KEY],
    ['a Grok key', GROK_KEY],
    ['a Gemini key', GEMINI_KEY],
  ])('masks %s wherever it appears inside a string, message included', (_name, key) => {
    const { logger, lines, entries } = capture();

    logger.error(`rejected ${key}`, {
      detail: `Bearer ${key}`,
      nested: { list: [`key=${key};`] },
    });

    expect(lines[0]).not.toContain(key);
    expect(entries()[0]).toMatchObject({
      message: 'rejected [REDACTED]',
      detail: 'Bearer [REDACTED]',
      nested: { list: ['key=[REDACTED];'] },
    });
  });

  it('leaves ordinary strings, numbers and booleans alone and writes bigints as strings', () => {
    const { logger, entries } = capture();

    logger.info('usage', {
      model: 'gpt-4o-mini',
      path: '/api/proxy/openai/v1/chat/completions',
      tokens: 15,
      cached: false,
      costPicoUsd: 123_456_789_012_345_678_901n,
    });

    expect(entries()[0]).toMatchObject({
      message: 'usage',
      model: 'gpt-4o-mini',
      path: '/api/proxy/openai/v1/chat/completions',
      tokens: 15,
      cached: false,
      costPicoUsd: '123456789012345678901',
    });
  });
});

describe('JsonLogger metrics (CloudWatch embedded metric format)', () => {
  it('makes a line that carries metric values an EMF document in the namespace', () => {
    const { logger, entries } = capture(undefined, 'Metrion-test');
    logger.info('usage aggregated', {
      records: 3,
      metrics: { Requests: 3, UnpricedRequests: 1, AggregatorLagMs: 850 },
    });
    const [entry] = entries();
    expect(entry).toMatchObject({
      message: 'usage aggregated',
      records: 3,
      Requests: 3,
      UnpricedRequests: 1,
      AggregatorLagMs: 850,
    });
    expect(entry).not.toHaveProperty('metrics');
    expect(entry?._aws).toEqual({
      Timestamp: Date.parse(String(entry?.time)),
      CloudWatchMetrics: [
        {
          Namespace: 'Metrion-test',
          Dimensions: [[]],
          Metrics: [
            { Name: 'Requests', Unit: 'Count' },
            { Name: 'UnpricedRequests', Unit: 'Count' },
            { Name: 'AggregatorLagMs', Unit: 'Milliseconds' },
          ],
        },
      ],
    });
  });

  it('ignores names outside the catalogue and values that are not finite numbers', () => {
    const { logger, entries } = capture(undefined, 'Metrion-test');
    logger.error('request failed', {
      metrics: { MetrionErrors: 1, Invented: 2, Requests: Number.NaN, UnpricedRequests: '1' },
    });
    const [entry] = entries();
    expect(entry).toMatchObject({ MetrionErrors: 1 });
    expect(entry).not.toHaveProperty('Invented');
    expect(entry).not.toHaveProperty('Requests');
    expect(entry).not.toHaveProperty('UnpricedRequests');
    expect(entry?._aws).toMatchObject({
      CloudWatchMetrics: [{ Metrics: [{ Name: 'MetrionErrors', Unit: 'Count' }] }],
    });
  });

  it('writes no EMF metadata for a line without metric values, or without a namespace', () => {
    const withNamespace = capture(undefined, 'Metrion-test');
    withNamespace.logger.info('plain', { metrics: { Invented: 1 } });
    expect(withNamespace.entries()[0]).not.toHaveProperty('_aws');

    const local = capture();
    local.logger.info('usage aggregated', { metrics: { Requests: 2 } });
    expect(local.entries()[0]).toMatchObject({ Requests: 2 });
    expect(local.entries()[0]).not.toHaveProperty('_aws');
  });

  it('writes a line with metric values below the minimum level, and drops one without', () => {
    const { logger, entries } = capture('error', 'Metrion-test');
    logger.info('usage aggregated', { metrics: { Requests: 4 } });
    logger.info('quiet');
    expect(entries().map((entry) => entry.message)).toEqual(['usage aggregated']);
  });

  it('lets a metric value win over a field of the same name, and a field never forge _aws', () => {
    const { logger, entries } = capture(undefined, 'Metrion-test');
    logger.info('x', { Requests: 'field', _aws: { forged: true }, metrics: { Requests: 5 } });
    expect(entries()[0]).toMatchObject({ Requests: 5 });
    expect(entries()[0]?._aws).not.toHaveProperty('forged');

    const plain = capture(undefined, 'Metrion-test');
    plain.logger.info('y', { _aws: { CloudWatchMetrics: [] } });
    expect(plain.entries()[0]).not.toHaveProperty('_aws');
  });
});
