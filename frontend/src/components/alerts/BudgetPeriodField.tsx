import type { BudgetPeriodKind } from '../../lib/alert-rules.ts';
import { BUDGET_PERIOD_LABELS } from '../../lib/alert-rules.ts';
import { describedBy, errorId, FieldError } from '../FormField.tsx';

interface BudgetPeriodFieldProps {
  readonly kind: BudgetPeriodKind;
  readonly onKind: (kind: BudgetPeriodKind) => void;
  /** `YYYY-MM-DD` for `since`. */
  readonly since: string;
  readonly onSince: (date: string) => void;
  readonly error?: string | undefined;
}

const KINDS: readonly BudgetPeriodKind[] = ['month', 'since_creation', 'since'];

/** Budget only: what the spending is summed over, always through now. */
export function BudgetPeriodField({ kind, onKind, since, onSince, error }: BudgetPeriodFieldProps) {
  const invalid = error === undefined ? undefined : errorId('rule-period');
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={describedBy('rule-period-hint', invalid)}
    >
      <legend>Period</legend>
      <div className="choices">
        {KINDS.map((option) => (
          <label key={option} className="choice">
            <input
              type="radio"
              name="rule-period"
              value={option}
              checked={kind === option}
              onChange={() => onKind(option)}
            />
            <span>{BUDGET_PERIOD_LABELS[option]}</span>
          </label>
        ))}
      </div>
      <span id="rule-period-hint" className="field__hint">
        Spending is summed from the start of the period through now.
      </span>
      {kind === 'since' && (
        <div className="field">
          <label htmlFor="rule-since">Start date (00:00 UTC)</label>
          <input
            id="rule-since"
            type="date"
            required
            value={since}
            onChange={(event) => onSince(event.target.value)}
            aria-describedby={invalid}
            aria-invalid={invalid === undefined ? undefined : true}
          />
        </div>
      )}
      <FieldError id="rule-period" message={error} />
    </fieldset>
  );
}
