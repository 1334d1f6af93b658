import {
  type AlertRuleDto,
  ERROR_RATE_MIN_REQUESTS,
  WARNING_PERCENT,
} from '#contracts/alerts-api.ts';
import { formatAlertThreshold, formatAlertValue, shareWidth } from '../../lib/format.ts';

/** Why a figure cannot be judged now, in words. */
const SKIP_NOTES: Readonly<Record<NonNullable<AlertRuleDto['current']['skipped']>, string>> = {
  too_few_requests: `needs ${ERROR_RATE_MIN_REQUESTS} answered requests to judge`,
  no_requests: 'no requests in the window',
  too_little_history: 'needs a few more days of history',
  awaiting_seal: 'waits for the last hour to be sealed (about 25 minutes)',
  below_minimum: 'below the rule’s minimum volume',
};

/** Where a gauge stands: under Warning, at Warning (90%), at or over the threshold. */
function gaugeLevel(ratio: number): 'ok' | 'warning' | 'alert' {
  if (ratio >= 1) return 'alert';
  return ratio * 100 >= WARNING_PERCENT ? 'warning' : 'ok';
}

/**
 * A rule's figure now against its threshold (`$12.35 / $50.00`), with a gauge filled to the
 * share of the threshold reached, coloured like the levels.
 */
export function CurrentValue({ rule }: { readonly rule: AlertRuleDto }) {
  const { ratio, skipped } = rule.current;
  return (
    <div className="current-value">
      <span>
        <strong data-current>{formatAlertValue(rule)}</strong>
        <span className="muted"> / {formatAlertThreshold(rule)}</span>
      </span>
      {ratio !== null && (
        <span className="gauge" aria-hidden="true">
          <span
            className="gauge__fill"
            data-level={gaugeLevel(ratio)}
            style={{ width: shareWidth(ratio) }}
          />
        </span>
      )}
      {skipped !== undefined && <span className="cell-note">{SKIP_NOTES[skipped]}</span>}
    </div>
  );
}
