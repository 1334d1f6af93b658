import { describe, expect, it } from 'vitest';
import { LOGS_CSV_COLUMNS, listLogsQuerySchema } from '#contracts/logs-api.ts';
import { logsCsvHeader, logsCsvStream, toLogCsvLine } from '#handlers/logs/logs-csv.ts';
import { CHF_AT_0_8, OVERLOADED_STREAM_RECORD } from '../../../fixtures/log-views.ts';

const RECORD = OVERLOADED_STREAM_RECORD;
const CHF = CHF_AT_0_8;

describe('CSV', () => {
  it('writes the header and one line per record in column order, guarded and quoted', () => {
    expect(logsCsvHeader()).toBe(`${LOGS_CSV_COLUMNS.join(',')}\r\n`);
    expect(toLogCsvLine(RECORD, CHF)).toBe(
      'req-1,2026-11-24T12:00:00.000Z,529,anthropic,claude-haiku-4-5,\'-rm -rf,10,2,3,4,19,0.0000015,0.000001,CHF,0.80000000,2026-11-24,900,120,false,true,pass-through,provider,"Overloaded, ""retry""",false,chat,,false,,\r\n',
    );
  });

  it('appends new columns at the end, so the earlier columns keep their positions', () => {
    expect(LOGS_CSV_COLUMNS.slice(-6)).toEqual([
      'estimated',
      'kind',
      'service_tier',
      'tier_unpriced',
      'cache_write_5m_tokens',
      'cache_write_1h_tokens',
    ]);
    const cells = (record: typeof RECORD) => toLogCsvLine(record, CHF).trimEnd().split(',');
    expect(cells({ ...RECORD, kind: 'embeddings' }).at(-5)).toBe('embeddings');
    expect(cells({ ...RECORD, kind: 'responses' }).at(-5)).toBe('responses');
  });

  it('writes the service tier, its price flag and the cache-write lifetimes', () => {
    const tiered = {
      ...RECORD,
      serviceTier: 'priority',
      tierUnpriced: true,
      cacheWrite5mTokens: 1,
      cacheWrite1hTokens: 3,
    };
    expect(toLogCsvLine(tiered, CHF).trimEnd().split(',').slice(-4)).toEqual([
      'priority',
      'true',
      '1',
      '3',
    ]);
  });

  it('appends one tag:<key> column per key after the fixed columns, empty where a record has none', async () => {
    const tagged = { ...RECORD, tags: { feature: '=search', team: 'core' } };
    const text = await new Response(
      logsCsvStream(
        (async function* () {
          yield tagged;
          yield RECORD;
        })(),
        CHF,
        ['feature', 'run', 'team'],
      ),
    ).text();
    const [header, first, second] = text.split('\r\n');
    expect(header).toBe(`${LOGS_CSV_COLUMNS.join(',')},tag:feature,tag:run,tag:team`);
    const fixed = toLogCsvLine(RECORD, CHF).slice(0, -2);
    expect(first).toBe(`${toLogCsvLine(tagged, CHF).slice(0, -2)},'=search,,core`);
    expect(second).toBe(`${fixed},,,`);
  });

  it('streams lazily: records are pulled only as the reader asks', async () => {
    let pulled = 0;
    async function* records() {
      for (let index = 0; index < 100_000; index += 1) {
        pulled += 1;
        yield { ...RECORD, requestId: `req-${index}` };
      }
    }
    const reader = logsCsvStream(records(), CHF).getReader();

    const header = await reader.read();
    const firstChunk = await reader.read();
    await reader.cancel();

    expect(new TextDecoder().decode(header.value)).toBe(logsCsvHeader());
    expect(firstChunk.value?.byteLength).toBeGreaterThan(64 * 1024 - 1);
    expect(pulled).toBeLessThan(1_000);
  });

  it('ends after the last record', async () => {
    async function* two() {
      yield RECORD;
      yield { ...RECORD, requestId: 'req-2' };
    }
    const text = await new Response(logsCsvStream(two(), CHF)).text();
    expect(text.split('\r\n')).toHaveLength(4);
  });
});

describe('query schema', () => {
  it('accepts single or repeated filters and rejects unknown parameters', () => {
    expect(
      listLogsQuerySchema.parse({ model: 'a', status: ['4xx', '500'], provider: 'openai' }),
    ).toEqual({
      range: '24h',
      model: ['a'],
      provider: ['openai'],
      requester: [],
      status: ['4xx', '500'],
      kind: [],
      tag: [],
    });
    expect(listLogsQuerySchema.parse({ tag: ['feature:a:b', 'team:core'] }).tag).toEqual([
      'feature:a:b',
      'team:core',
    ]);
    for (const tag of ['feature', 'Feature:x', 'feature:', ':x', `k:${'v'.repeat(65)}`]) {
      expect(listLogsQuerySchema.safeParse({ tag }).success).toBe(false);
    }
    expect(listLogsQuerySchema.parse({ kind: ['embeddings', 'chat'] }).kind).toEqual([
      'embeddings',
      'chat',
    ]);
    expect(listLogsQuerySchema.safeParse({ kind: 'images' }).success).toBe(false);
    expect(listLogsQuerySchema.safeParse({ account: 'bob' }).success).toBe(false);
    expect(listLogsQuerySchema.safeParse({ provider: 'azure' }).success).toBe(false);
    expect(listLogsQuerySchema.safeParse({ status: '4x' }).success).toBe(false);
  });
});
