import { describe } from 'vitest';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { monotonicClockContract, waitingClockContract } from './clock.contract.ts';

describe('SystemClock', () => {
  monotonicClockContract(() => ({
    clock: new SystemClock(),
    // Waits until the wall clock (not the clock under test) shows `ms` passed: a timer alone
    // may fire early by the event loop's cached time.
    pass: async (ms) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(1, until - Date.now())));
      }
    },
  }));
  waitingClockContract(() => new SystemClock());
});

describe('FakeClock', () => {
  monotonicClockContract(() => {
    const clock = new FakeClock();
    return {
      clock,
      pass: async (ms) => clock.advance(ms),
    };
  });
  waitingClockContract(() => new FakeClock());
});
