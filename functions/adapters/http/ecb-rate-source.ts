// ReferenceRateSource over HTTP: GET the ECB daily euro reference rate XML (fetch, 10 s timeout).
import { type FxQuote, parseEcbDailyXml } from '#core/currency/fx.ts';
import { ServiceUnavailableError } from '#core/errors.ts';
import type { ReferenceRateSource } from '#core/ports/reference-rate-source.ts';

/** The ECB's published daily euro reference rates. */
export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

/** {@link ReferenceRateSource} reading the ECB XML from a configurable URL (tests use a fake). */
export class EcbReferenceRateSource implements ReferenceRateSource {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(options: { url?: string | undefined; timeoutMs?: number } = {}) {
    this.#url = options.url ?? ECB_DAILY_URL;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  /**
   * @throws ServiceUnavailableError when the ECB cannot be reached or answers other than 200
   * @throws RangeError when the document lacks the date, USD or CHF
   */
  async fetchDaily(): Promise<FxQuote> {
    const unavailable = (operation: string, cause?: unknown) =>
      new ServiceUnavailableError('The ECB reference rates could not be fetched.', {
        service: 'ecb',
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
    return parseEcbDailyXml(await response.text());
  }
}
