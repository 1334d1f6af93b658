import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeUnits } from '../../../scripts/cost/cost-model.ts';
import {
  type AggregatorAssumption,
  type CostInputsFile,
  loadMeasuredInputs,
  type MeasuredCall,
  pricedCalls,
  rollupWrites,
} from '../../../scripts/cost/measured-inputs.ts';

const call = (overrides: Partial<MeasuredCall>): MeasuredCall => ({
  phase: 'before',
  op: 'UpdateItem',
  item: 'accounts METRION_KEY/LOOKUP',
  kind: 'write',
  perRequest: 1,
  itemBytes: 943,
  indexWrites: 0,
  consistent: false,
  dynaliteUnitsPerCall: 1,
  ...overrides,
});
const ADMIT = call({});
const RECORD = call({
  phase: 'after',
  op: 'PutItem',
  item: 'usage ACCOUNT/REQ',
  itemBytes: 549,
  indexWrites: 1,
});
const ROLLUP_H = call({ phase: 'after', item: 'usage ROLLUP/H', itemBytes: 591 });
const AGGREGATOR: AggregatorAssumption = {
  mergeFactor: 4,
  rollupItemBytes: 570,
  markersPerBatchItem: 2,
  markerItemBytes: 94,
};

describe('the calls the model prices', () => {
  it('prices every measured call as measured, and adds nothing when the proxy wrote the rollups', () => {
    const calls = [ADMIT, RECORD, ROLLUP_H];
    expect(rollupWrites(calls)).toBe('proxy');
    const priced = pricedCalls(calls, AGGREGATOR);
    expect(priced.map((entry) => entry.label)).toEqual([
      'measured, before: UpdateItem accounts METRION_KEY/LOOKUP',
      'measured, after: PutItem usage ACCOUNT/REQ',
      'measured, after: UpdateItem usage ROLLUP/H',
    ]);
    // 1 + (1 + 1 index) + 1
    expect(storeUnits(priced).wru).toBe(4);
  });

  it('counts rollup writes after the invocation (the aggregator feed) as measured too', () => {
    const calls = [ADMIT, RECORD, { ...ROLLUP_H, phase: 'late' as const, perRequest: 0.25 }];
    expect(rollupWrites(calls)).toBe('background');
    expect(storeUnits(pricedCalls(calls, AGGREGATOR)).wru).toBe(3.25);
  });

  it('models the aggregator (ADDs and markers per merge factor) only when no rollup write was measured', () => {
    const calls = [ADMIT, RECORD];
    expect(rollupWrites(calls)).toBe('modelled');
    const priced = pricedCalls(calls, AGGREGATOR);
    expect(priced.filter((entry) => entry.label.startsWith('MODELLED'))).toHaveLength(3);
    // 1 + 2 measured; hour + day ADD 1/4 each, 2 markers 2/4
    expect(storeUnits(priced).wru).toBe(3 + 0.25 + 0.25 + 0.5);
  });
});

describe('which measured file the model reads', () => {
  const file = (measuredAt: string): CostInputsFile => ({
    measuredAt,
    command: 'node test/bench/cost-inputs.bench.ts',
    machine: 'test',
    note: '',
    requests: 4,
    calls: [ADMIT],
    roundTrips: { before: 1, after: 1 },
    perCase: {
      'OpenAI stream': { callsBefore: 1, callsAfter: 1, responseBytes: 300, sseEvents: 10 },
    },
    items: {},
    logs: { appLinesPerRequest: 0, appBytesPerRequest: 0 },
    load: {
      concurrency: 50,
      requests: 800,
      elapsedMs: 1,
      requestsPerSecond: 1,
      cpuMsPerRequest: 1,
      peakRssMb: 1,
    },
  });

  it('prefers the fresh bench output, else the committed snapshot, and says which', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cost-inputs-'));
    const fresh = path.join(dir, 'fresh.json');
    const snapshot = path.join(dir, 'snapshot.json');
    writeFileSync(snapshot, JSON.stringify(file('2026-01-01T00:00:00Z')));
    const fromSnapshot = loadMeasuredInputs(fresh, snapshot);
    expect(fromSnapshot.source).toContain('committed snapshot; measured 2026-01-01T00:00:00Z');
    expect(fromSnapshot.bytesPerSseEvent).toBe(30);
    writeFileSync(fresh, JSON.stringify(file('2026-02-02T00:00:00Z')));
    expect(loadMeasuredInputs(fresh, snapshot).source).toContain(
      'fresh bench output; measured 2026-02-02T00:00:00Z by `node test/bench/cost-inputs.bench.ts`',
    );
  });

  it('names the bench to run when neither file exists, or the file is from an older bench', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cost-inputs-'));
    const missing = path.join(dir, 'none.json');
    expect(() => loadMeasuredInputs(missing, missing)).toThrow(
      'node test/bench/cost-inputs.bench.ts',
    );
    const old = path.join(dir, 'old.json');
    writeFileSync(old, JSON.stringify({ measuredAt: 'x', dynamo: {} }));
    expect(() => loadMeasuredInputs(old, missing)).toThrow('older bench');
  });
});
