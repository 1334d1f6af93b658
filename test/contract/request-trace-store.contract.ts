import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type {
  RequestTrace,
  RequestTraceSweepStore,
  RequestTraceWriter,
} from '#core/ports/request-trace-store.ts';
import type { UsageStore } from '#core/ports/usage-store.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';

/** A trace store and the usage store whose records it looks up, on the same (fresh) data. */
export interface TraceStores {
  readonly traces: RequestTraceWriter & RequestTraceSweepStore;
  readonly usage: UsageStore;
}

const BASE_MS = Date.parse('2026-12-01T10:00:00.000Z');
const MINUTE_MS = 60_000;

function interrupted(atMs: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  return {
    requestId: randomUUID(),
    accountId: 'acct-traces',
    at: new Date(atMs).toISOString(),
    provider: 'anthropic',
    kind: 'chat',
    model: 'claude-sonnet-4-5',
    requester: 'batch-job',
    status: 502,
    errorSource: 'metrion',
    errorMessage: 'Metrion stopped before this request ended.',
    inputTokens: 1200,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    totalTokens: 1200,
    // claude-sonnet-4-5 input: $3 per million tokens = 3,000,000 pico-USD per token.
    costPicoUsd: 1200n * 3_000_000n,
    priceVersion: 'genai-prices@0.1.8+overrides@3',
    latencyMs: 0,
    streamed: true,
    cached: false,
    mode: 'stored',
    estimated: true,
    interrupted: true,
    ...overrides,
  };
}

function trace(atMs: number, overrides: Partial<UsageRecord> = {}): RequestTrace {
  return {
    record: interrupted(atMs, overrides),
    // 2100-01-01: never expired, whatever the machine's date.
    retention: { expiresAtEpochSeconds: 4_102_444_800 },
  };
}

async function read(
  store: RequestTraceSweepStore,
  fromMs: number,
  toMs: number,
): Promise<RequestTrace[]> {
  const found: RequestTrace[] = [];
  for await (const page of store.tracesBetween(fromMs, toMs)) found.push(...page);
  return found;
}

const byRequestId = (a: RequestTrace, b: RequestTrace) =>
  a.record.requestId < b.record.requestId ? -1 : 1;

/**
 * The request trace store contract: every implementation (in-memory fake, DynamoDB) must pass it.
 * `createStores` is called before each test and must give stores on fresh data.
 */
export function requestTraceStoreContract(createStores: () => Promise<TraceStores>): void {
  let stores: TraceStores;

  beforeEach(async () => {
    stores = await createStores();
  });

  describe('traces by arrival time', () => {
    it('gives back what was put: the record with every field, and its retention', async () => {
      const put = trace(BASE_MS, {
        cacheReadTokens: 7,
        costPicoUsd: 123_456_789_012_345_678_901n,
        timing: { overheadMs: 1.5, authMs: 0.7 },
      });
      await stores.traces.put(put);

      expect(await read(stores.traces, BASE_MS, BASE_MS + 1)).toEqual([put]);
    });

    it('keeps a null cost (an unpriced model) null', async () => {
      const put = trace(BASE_MS, { model: 'gpt-4o-realtime-preview', costPicoUsd: null });
      await stores.traces.put(put);

      expect(await read(stores.traces, BASE_MS, BASE_MS + 1)).toEqual([put]);
    });

    it('returns traces that arrived from `fromMs` (inclusive) to `toMs` (exclusive)', async () => {
      const before = trace(BASE_MS - 1);
      const first = trace(BASE_MS);
      const last = trace(BASE_MS + MINUTE_MS - 1);
      const after = trace(BASE_MS + MINUTE_MS);
      for (const each of [before, first, last, after]) await stores.traces.put(each);

      const found = await read(stores.traces, BASE_MS, BASE_MS + MINUTE_MS);

      expect(found.sort(byRequestId)).toEqual([first, last].sort(byRequestId));
    });

    it('forgets a discarded trace and keeps the others', async () => {
      const kept = trace(BASE_MS);
      const discarded = trace(BASE_MS + 1);
      await stores.traces.put(kept);
      await stores.traces.put(discarded);

      await stores.traces.discard(discarded);
      // Discarding a trace that is not stored changes nothing.
      await stores.traces.discard(trace(BASE_MS + 2));

      expect(await read(stores.traces, BASE_MS, BASE_MS + MINUTE_MS)).toEqual([kept]);
    });

    it('returns each of many traces once, whatever partition they landed in', async () => {
      const many = Array.from({ length: 60 }, (_, index) => trace(BASE_MS + index * 1000));
      await Promise.all(many.map((each) => stores.traces.put(each)));

      const found = await read(stores.traces, BASE_MS, BASE_MS + MINUTE_MS);

      expect(found.sort(byRequestId)).toEqual([...many].sort(byRequestId));
    });
  });

  describe('withoutRecord', () => {
    it('names the traces whose record is not stored, beyond one batch of keys', async () => {
      // 150 traces (more than one BatchGetItem's 100 keys), every other one with its record.
      const all = Array.from({ length: 150 }, (_, index) => trace(BASE_MS + index));
      const stored = all.filter((_, index) => index % 2 === 0);
      for (const each of stored) await stores.usage.append(each.record, each.retention);

      const missing = await stores.traces.withoutRecord(all);

      expect(missing.sort(byRequestId)).toEqual(
        all.filter((_, index) => index % 2 === 1).sort(byRequestId),
      );
    });

    it('names none for no traces', async () => {
      expect(await stores.traces.withoutRecord([])).toEqual([]);
    });
  });

  describe('the sweep cursor', () => {
    it('is undefined until set, then what was last set', async () => {
      const first = await stores.traces.sweptThroughMs();
      await stores.traces.setSweptThrough(BASE_MS);
      await stores.traces.setSweptThrough(BASE_MS + MINUTE_MS);

      expect(first).toBeUndefined();
      expect(await stores.traces.sweptThroughMs()).toBe(BASE_MS + MINUTE_MS);
    });
  });
}
