import type {
  RequestTrace,
  RequestTraceSweepStore,
  RequestTraceWriter,
} from '#core/ports/request-trace-store.ts';
import type { InMemoryUsageStore } from './in-memory-usage-store.ts';

const keyOf = ({ record }: RequestTrace) => `${record.at}#${record.requestId}`;

/**
 * Request traces in memory, passing the same contract suite as DynamoRequestTraceStore: traces by
 * arrival time, whose records are looked up in the given usage store.
 */
export class InMemoryRequestTraceStore implements RequestTraceWriter, RequestTraceSweepStore {
  readonly #usage: InMemoryUsageStore;
  readonly #traces = new Map<string, RequestTrace>();
  #sweptThroughMs: number | undefined;
  /** Every trace put, in order (a put of an existing key counts again). */
  readonly puts: RequestTrace[] = [];

  constructor(options: { readonly usage: InMemoryUsageStore }) {
    this.#usage = options.usage;
  }

  async put(trace: RequestTrace): Promise<void> {
    this.puts.push(structuredClone(trace));
    this.#traces.set(keyOf(trace), structuredClone(trace));
  }

  async discard(trace: RequestTrace): Promise<void> {
    this.#traces.delete(keyOf(trace));
  }

  async sweptThroughMs(): Promise<number | undefined> {
    return this.#sweptThroughMs;
  }

  async setSweptThrough(ms: number): Promise<void> {
    this.#sweptThroughMs = ms;
  }

  async *tracesBetween(fromMs: number, toMs: number): AsyncIterable<readonly RequestTrace[]> {
    const page = [...this.#traces.values()].filter((trace) => {
      const atMs = Date.parse(trace.record.at);
      return atMs >= fromMs && atMs < toMs;
    });
    if (page.length > 0) yield page.map((trace) => structuredClone(trace));
  }

  async withoutRecord(traces: readonly RequestTrace[]): Promise<RequestTrace[]> {
    return traces.filter(({ record }) => {
      const atMs = Date.parse(record.at);
      return !this.#usage
        .storedBetween(record.accountId, atMs, atMs + 1)
        .some((stored) => stored.record.requestId === record.requestId);
    });
  }
}
