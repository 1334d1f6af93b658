import { describe } from 'vitest';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { monotonicClockContract } from './clock.contract.ts';

describe('SystemClock', () => {
  monotonicClockContract(() => ({
    clock: new SystemClock(),
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));
});

describe('FakeClock', () => {
  monotonicClockContract(() => {
    const clock = new FakeClock();
    return {
      clock,
      pass: async (ms) => clock.advance(ms),
    };
  });
});
