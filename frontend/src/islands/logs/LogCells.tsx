import type { FxDto } from '#contracts/dashboard-api.ts';
import type { LogRow } from '#contracts/logs-api.ts';
import { StatusCode } from '../../components/StatusCode.tsx';
import { formatMoneyDecimal } from '../../lib/format.ts';

/** A request's cost in the account's currency (`cost` converted with `fx`), or "unpriced". */
export function Cost({ cost, fx }: { readonly cost: string | null; readonly fx: FxDto }) {
  return cost === null ? (
    <span className="muted">unpriced</span>
  ) : (
    <span>{formatMoneyDecimal(cost, fx.currency)}</span>
  );
}

/** Why a request's tokens are estimated (badge tooltip, detail dialog). */
export const ESTIMATED_EXPLANATION =
  'The client left the stream before the provider reported usage, so Metrion counted the tokens itself (input from the request, output from the text relayed). The tokens and the cost are estimates.';

/**
 * The status, with a Blocked badge (naming the budget) when a budget refused the request, a
 * Cached badge when the response cache answered and an Estimated badge when Metrion counted the
 * tokens of a dropped stream (the kind has a column of its own).
 */
export function Status({
  row,
}: {
  readonly row: Pick<LogRow, 'status' | 'cached' | 'estimated' | 'blockedBy'>;
}) {
  return (
    <span className="status-cell">
      <StatusCode status={row.status} />
      {row.blockedBy !== null && (
        <span
          className="badge badge--blocked"
          title={`Refused by budget "${row.blockedBy}" before it reached the provider`}
          data-blocked
        >
          Blocked: {row.blockedBy}
        </span>
      )}
      {row.cached && <span className="badge badge--cached">Cached</span>}
      {row.estimated && (
        <span className="badge badge--estimated" title={ESTIMATED_EXPLANATION} data-estimated>
          Estimated
        </span>
      )}
    </span>
  );
}
