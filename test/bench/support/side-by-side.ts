// Side by side in one run: the same load sent directly and through the handler, in interleaved
// batches (D P, P D, D P, P D) so drift on a shared machine hits both sides alike.

import type { Timing } from './handler-invocation.ts';
import type { Comparison, SideResult } from './handler-report.ts';
import { runClosedLoop } from './load-generator.ts';
import { summarize } from './percentiles.ts';

export interface Load {
  readonly concurrency: number;
  readonly warmup: number;
  /** Measured requests per side. */
  readonly requests: number;
}

/** Each side's measured requests run in this many batches, in ABBA order (drift cancels). */
const BATCHES_PER_SIDE = 4;

/** Collects one side's samples and the CPU and time its batches took. */
class Side {
  readonly #concurrency: number;
  readonly #send: () => Promise<Timing>;
  readonly #timings: Timing[] = [];
  #cpuMs = 0;

  constructor(concurrency: number, send: () => Promise<Timing>) {
    this.#concurrency = concurrency;
    this.#send = send;
  }

  async warm(count: number): Promise<void> {
    await runClosedLoop(count, this.#concurrency, this.#send);
  }

  async measure(count: number): Promise<void> {
    const cpuBefore = process.cpuUsage();
    this.#timings.push(...(await runClosedLoop(count, this.#concurrency, this.#send)));
    const cpu = process.cpuUsage(cpuBefore);
    this.#cpuMs += (cpu.user + cpu.system) / 1000;
  }

  result(): SideResult {
    const billed = this.#timings.map((timing) => timing.billedMs);
    return {
      total: summarize(this.#timings.map((timing) => timing.totalMs)),
      ttfb: summarize(this.#timings.map((timing) => timing.ttfbMs)),
      billed: summarize(billed),
      billedMeanMs: billed.reduce((sum, value) => sum + value, 0) / billed.length,
      cpuMsPerRequest: this.#cpuMs / this.#timings.length,
    };
  }
}

/** Warm-up on both sides, then the measured batches D P, P D, D P, P D. */
export async function compare(
  load: Load,
  direct: () => Promise<Timing>,
  proxied: () => Promise<Timing>,
): Promise<Comparison> {
  const directSide = new Side(load.concurrency, direct);
  const proxiedSide = new Side(load.concurrency, proxied);
  await directSide.warm(load.warmup);
  await proxiedSide.warm(load.warmup);
  const batch = Math.ceil(load.requests / BATCHES_PER_SIDE);
  for (let index = 0; index < BATCHES_PER_SIDE; index += 1) {
    const order = index % 2 === 0 ? [directSide, proxiedSide] : [proxiedSide, directSide];
    for (const side of order) await side.measure(batch);
  }
  return {
    concurrency: load.concurrency,
    direct: directSide.result(),
    proxied: proxiedSide.result(),
  };
}
