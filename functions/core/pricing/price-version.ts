import { GENAI_PRICES_VERSION } from './generated-prices.ts';
import { PRICE_OVERRIDES_VERSION } from './price-overrides.ts';

/**
 * The price data that prices new records: `genai-prices@<package version>+overrides@<n>`, e.g.
 * `genai-prices@0.1.8+overrides@1`. Stored with every usage record; a deploy never rewrites
 * records already written (only `reprice` does).
 */
export const PRICE_VERSION = `genai-prices@${GENAI_PRICES_VERSION}+overrides@${PRICE_OVERRIDES_VERSION}`;

const VERSION_PATTERN = /^genai-prices@(\d+)\.(\d+)\.(\d+)\+overrides@(\d+)$/;

function parts(version: string): readonly number[] | undefined {
  const match = VERSION_PATTERN.exec(version);
  return match === null ? undefined : match.slice(1).map(Number);
}

/**
 * Whether `version` is older price data than `current`: any version not in the
 * `genai-prices@…+overrides@…` format (the hand-kept table's dates, `unpriced` markers) is older;
 * otherwise the package version (major.minor.patch), then the override number, decide.
 */
export function isOlderPriceVersion(version: string, current: string = PRICE_VERSION): boolean {
  const now = parts(current);
  if (now === undefined) throw new RangeError(`not a price version: ${current}`);
  const then = parts(version);
  if (then === undefined) return true;
  for (let index = 0; index < now.length; index += 1) {
    const difference = (then[index] ?? 0) - (now[index] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}
