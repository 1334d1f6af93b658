/**
 * The core's money-to-text rules (exact USD, half-even conversion), re-exported so the dashboard
 * formats amounts with the very functions the API uses.
 */
export {
  convertPicoUsdHalfEven,
  exactUsd,
  halfEvenDecimal,
  scaledDecimal,
} from '#core/currency/money-text.ts';
