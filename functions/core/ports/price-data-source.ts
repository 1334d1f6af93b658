/** The maintained genai-prices data as fetched: where from, and the body as text. */
export interface FetchedPriceData {
  readonly url: string;
  readonly text: string;
}

/** Where the daily price refresh gets the maintained price data (a fake server in tests). */
export interface PriceDataSource {
  /** Fetches the data now. @throws when the source is unreachable or answers other than 200 */
  fetchData(): Promise<FetchedPriceData>;
}
