import type { AlertState } from '#contracts/alerts-api.ts';
import { ALERT_STATE_LABELS } from '../../lib/alert-rules.ts';

/** A rule's state as of the last evaluation: OK, Warning, Alert or Paused. */
export function AlertStateBadge({ state }: { readonly state: AlertState }) {
  return (
    <span className="badge alert-state" data-state={state}>
      {ALERT_STATE_LABELS[state]}
    </span>
  );
}
