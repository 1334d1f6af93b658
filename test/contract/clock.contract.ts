import { expect, it } from 'vitest';
import type { MonotonicClock, WaitingClock } from '#core/ports/clock.ts';

export interface MonotonicClockFixture {
  readonly clock: MonotonicClock;
  /** Lets `ms` of this clock's time pass (a real wait, or moving a fake). */
  pass(ms: number): Promise<void>;
}

/** The MonotonicClock contract: what the proxy's phase timing (`server-timing`) relies on. */
export function monotonicClockContract(createFixture: () => MonotonicClockFixture): void {
  it('never reads a smaller monotonic time than before', async () => {
    const { clock, pass } = createFixture();
    const readings = [clock.monotonicMs()];
    for (let step = 0; step < 5; step += 1) {
      await pass(1);
      readings.push(clock.monotonicMs());
    }

    expect(readings).toEqual([...readings].sort((a, b) => a - b));
  });

  // Node timers may fire a little before performance.now() says the delay passed.
  it('measures a span of about the time that passed, in milliseconds', async () => {
    const { clock, pass } = createFixture();
    const start = clock.monotonicMs();

    await pass(20);

    const span = clock.monotonicMs() - start;
    expect(span).toBeGreaterThanOrEqual(18);
    expect(span).toBeLessThan(20_000);
  });

  it('reads wall time as epoch milliseconds next to it', () => {
    const { clock } = createFixture();

    expect(Number.isInteger(clock.nowMs())).toBe(true);
    expect(clock.nowMs()).toBeGreaterThan(Date.UTC(2020, 0, 1));
  });
}

/** The WaitingClock contract: what a store waiting out another writer's lease relies on. */
export function waitingClockContract(createClock: () => WaitingClock): void {
  // Timers may fire a little before the wall clock says the delay passed.
  it('resolves a sleep once about that much of its own time has passed', async () => {
    const clock = createClock();
    const start = clock.nowMs();

    await clock.sleep(20);

    const slept = clock.nowMs() - start;
    expect(slept).toBeGreaterThanOrEqual(18);
    expect(slept).toBeLessThan(20_000);
  });
}
