import { describe, expect, it } from 'vitest';
import { startPhaseTimer } from '#core/proxy/phase-timer.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';

function timerAt(startMs = 1_000) {
  const clock = new FakeClock({ startMs });
  return { clock, timer: startPhaseTimer(clock, clock.monotonicMs()) };
}

/** Work that takes `ms` of fake time. */
const taking = (clock: FakeClock, ms: number) => async () => {
  clock.advance(ms);
  return ms;
};

describe('startPhaseTimer', () => {
  it('reports each phase and the overhead: time to the headers minus the waits on the provider', async () => {
    // Arrange
    const { clock, timer } = timerAt();
    clock.advance(0.4); // parsing
    await timer.time('auth', taking(clock, 2.1));
    clock.advance(0.9); // cache lookup, key
    await timer.time('upstreamHeaders', taking(clock, 143));
    await timer.time('upstreamBody', taking(clock, 12.25));
    clock.advance(0.6); // usage, cost, headers

    // Act
    const timing = timer.headersReady();

    // Assert: overhead = 0.4 + 2.1 + 0.9 + 0.6 (auth is Metrion's own time too)
    expect(timing).toEqual({
      authMs: 2.1,
      upstreamHeadersMs: 143,
      upstreamBodyMs: 12.3,
      overheadMs: 4,
    });
  });

  it('leaves out the phases a request never reached', async () => {
    const { clock, timer } = timerAt();
    clock.advance(0.35);

    expect(timer.headersReady()).toEqual({ overheadMs: 0.4 });
  });

  it('counts a phase that throws (a refused request took its auth time)', async () => {
    const { clock, timer } = timerAt();
    const refused = timer.time('auth', async () => {
      clock.advance(3.04);
      throw new Error('refused');
    });

    await expect(refused).rejects.toThrow('refused');
    expect(timer.headersReady()).toEqual({ authMs: 3, overheadMs: 3 });
  });

  it('fixes the figures at the first call, so the header and the record agree', async () => {
    const { clock, timer } = timerAt();
    clock.advance(1);
    const first = timer.headersReady();
    clock.advance(500);

    expect(timer.headersReady()).toBe(first);
    expect(first.overheadMs).toBe(1);
  });

  it('starts at the arrival the handler stamped, not when the timer was made', async () => {
    const clock = new FakeClock({ startMs: 5_000 });
    const arrival = clock.monotonicMs();
    clock.advance(7.5);
    const timer = startPhaseTimer(clock, arrival);

    expect(timer.headersReady().overheadMs).toBe(7.5);
  });
});
