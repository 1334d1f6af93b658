// Wraps any port object in a JS Proxy that delays the replies of its async methods by a network
// round trip and reports each call, so the bench can stand in for DynamoDB without knowing the
// port's shape: a new or renamed port needs no change here, only in the wiring.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One finished call of a wrapped port's async method. */
export interface PortCall {
  /** `<port>.<method>`, e.g. `accounts.getProxyView`. */
  readonly name: string;
  /**
   * Positions on {@link nextTick}'s sequence when the call started and when its caller saw the
   * reply: unlike wall-clock readings, two calls started in the same tick can never look
   * sequential, and a call started after another's reply always looks later.
   */
  readonly startTick: number;
  readonly endTick: number;
  /** Round trips the real adapter makes for this method (each delays the reply once). */
  readonly roundTrips: number;
  /** Wall-clock time from call to reply, delay included. */
  readonly durationMs: number;
  readonly failed: boolean;
}

let lastTick = 0;

/** The next position on the one event sequence shared by every wrapper and phase mark. */
export function nextTick(): number {
  lastTick += 1;
  return lastTick;
}

export interface DelayedPortOptions {
  /** Prefix of every call name, e.g. `accounts`. */
  readonly name: string;
  /** Delay added to each round trip, in ms; 0 records calls without delaying them. */
  readonly roundTripMs: number;
  /**
   * Methods whose real adapter makes several sequential round trips (e.g. `{ addLive: 3 }`).
   * @default - 1 for every method
   */
  readonly roundTrips?: Readonly<Record<string, number>>;
  /** Receives every finished call; errors are reported before they are rethrown. */
  readonly onCall?: (call: PortCall) => void;
  /** Waits out the rest of a round trip (tests record what was asked). @default - a timer */
  readonly sleep?: (ms: number) => Promise<unknown>;
  /** Milliseconds on a monotonic clock (tests pass a scripted one). @default - performance.now */
  readonly nowMs?: () => number;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof Reflect.get(value, 'then') === 'function';

/**
 * A view of `port` whose methods returning a promise reply `roundTripMs` x round trips later,
 * with the same value or the same rejection. The inner method runs at once (its effect lands
 * immediately, as a write lands before its reply travels back) and with the real object as
 * `this`, so a method calling another of its own methods is one call, as in the real adapter.
 * Synchronous methods and plain properties pass through unrecorded: they do no I/O.
 */
export function delayedPort<T extends object>(port: T, options: DelayedPortOptions): T {
  const wrappers = new Map<PropertyKey, (...args: unknown[]) => unknown>();
  const wait = options.sleep ?? sleep;
  const now = options.nowMs ?? (() => performance.now());
  const wrap = (method: (...args: unknown[]) => unknown, methodName: string) => {
    const roundTrips = options.roundTrips?.[methodName] ?? 1;
    const delayMs = options.roundTripMs * roundTrips;
    return (...args: unknown[]): unknown => {
      const startTick = nextTick();
      const startedAt = now();
      const result: unknown = Reflect.apply(method, port, args);
      if (!isThenable(result)) return result;
      const report = (failed: boolean) =>
        options.onCall?.({
          name: `${options.name}.${methodName}`,
          startTick,
          endTick: nextTick(),
          roundTrips,
          durationMs: now() - startedAt,
          failed,
        });
      // The round trip counts from the call: the store's own time is part of it, as in DynamoDB.
      // One timer: it may fire up to 1 ms early (libuv's cached loop time) or late (a busy loop);
      // waiting again for an early remainder would cost a whole extra 1 ms timer tick, which
      // pushed the mean further from the asked round trip than the early fires pull it.
      const waitOut = async () => {
        const remainingMs = delayMs - (now() - startedAt);
        if (remainingMs > 0) await wait(remainingMs);
      };
      return Promise.resolve(result).then(
        async (value) => {
          await waitOut();
          report(false);
          return value;
        },
        async (error: unknown) => {
          await waitOut();
          report(true);
          throw error;
        },
      );
    };
  };
  return new Proxy(port, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property === 'symbol') return value;
      let wrapper = wrappers.get(property);
      if (wrapper === undefined) {
        wrapper = wrap(value as (...args: unknown[]) => unknown, property);
        wrappers.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
