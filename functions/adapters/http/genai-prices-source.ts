// PriceDataSource over HTTP: GET the maintained genai-prices data file (fetch, 20 s timeout).
import { ServiceUnavailableError } from '#core/errors.ts';
import type { FetchedPriceData, PriceDataSource } from '#core/ports/price-data-source.ts';

/**
 * The maintained v2 data file of `@pydantic/genai-prices` (its `REMOTE_DATA_JSON_URL`; a unit
 * test keeps them equal, so the package itself never enters a bundle for one constant).
 */
export const GENAI_PRICES_DATA_URL =
  'https://raw.githubusercontent.com/pydantic/genai-prices/main/prices/new_data/v2/data.json';

/** Larger than this is not price data (the file is about 400 KB). */
const MAX_BODY_BYTES = 20 * 1024 * 1024;

/** {@link PriceDataSource} reading the data file from a configurable URL (tests use a fake). */
export class GenaiPricesHttpSource implements PriceDataSource {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(options: { url?: string | undefined; timeoutMs?: number } = {}) {
    this.#url = options.url ?? GENAI_PRICES_DATA_URL;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
  }

  /** @throws ServiceUnavailableError when the file cannot be fetched whole */
  async fetchData(): Promise<FetchedPriceData> {
    const unavailable = (operation: string, cause?: unknown) =>
      new ServiceUnavailableError('The genai-prices data could not be fetched.', {
        service: 'genai-prices',
        operation,
        cause,
      });
    let response: Response;
    try {
      response = await fetch(this.#url, {
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      throw unavailable('GET', error);
    }
    if (!response.ok) throw unavailable(`GET answered ${response.status}`);
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_BODY_BYTES) throw unavailable(`GET answered ${length} bytes`);
    try {
      return { url: this.#url, text: await response.text() };
    } catch (error) {
      throw unavailable('GET body', error);
    }
  }
}
