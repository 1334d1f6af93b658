import type { AlertRuleType } from '#contracts/alerts-api.ts';
import type { Currency } from '#contracts/settings-api.ts';
import type { ErrorRateUnit } from '../../lib/alert-rules.ts';
import { currencySymbol } from '../../lib/format.ts';
import { describedBy, errorId, FieldError } from '../FormField.tsx';

interface ThresholdFieldProps {
  readonly type: AlertRuleType;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** Budgets are in the account's currency. */
  readonly currency: Currency;
  readonly error?: string | undefined;
}

/** What the threshold input is called and what it takes, per type. */
function thresholdText(type: AlertRuleType, unit: ErrorRateUnit, currency: Currency) {
  switch (type) {
    case 'budget':
      return { label: `Budget (${currency})`, hint: 'Above 0, at most 2 decimals.' };
    case 'forecast':
      return {
        label: `Month-end spend (${currency})`,
        hint: 'Fires when the projected spend of this month reaches it (Warning at 90%).',
      };
    case 'spike':
      return {
        label: 'Factor over the median hour',
        hint: 'Above 1, one decimal: 3 fires when an hour is 3× the median hour of the week.',
      };
    case 'error_rate':
      return unit === 'percent'
        ? { label: 'Error rate (%)', hint: 'Above 0 and at most 100; decimals allowed.' }
        : { label: 'Errors in the window', hint: 'A whole number, 1 or more.' };
    case 'latency_p95':
      return { label: 'Latency p95 (ms)', hint: 'A whole number of milliseconds, 1 to 600,000.' };
    case 'request_volume':
      return { label: 'Requests in the window', hint: 'A whole number, 1 or more.' };
  }
}

/** The threshold input: labelled in the type's unit, the currency symbol in front of budgets. */
export function ThresholdField({
  type,
  unit,
  value,
  onValue,
  currency,
  error,
}: ThresholdFieldProps & { readonly unit: ErrorRateUnit }) {
  const { label, hint } = thresholdText(type, unit, currency);
  const input = (
    <input
      id="rule-threshold"
      type="text"
      inputMode="decimal"
      autoComplete="off"
      required
      value={value}
      onChange={(event) => onValue(event.target.value)}
      aria-describedby={describedBy('rule-threshold-hint', error && errorId('rule-threshold'))}
      aria-invalid={error === undefined ? undefined : true}
    />
  );
  return (
    <div className="field">
      <label htmlFor="rule-threshold">{label}</label>
      {type === 'budget' || type === 'forecast' ? (
        <div className="affixed">
          <span className="affixed__affix" aria-hidden="true">
            {currencySymbol(currency)}
          </span>
          {input}
        </div>
      ) : (
        input
      )}
      <span id="rule-threshold-hint" className="field__hint">
        {hint}
      </span>
      <FieldError id="rule-threshold" message={error} />
    </div>
  );
}

interface UnitFieldProps {
  readonly value: ErrorRateUnit;
  readonly onValue: (unit: ErrorRateUnit) => void;
  readonly error?: string | undefined;
}

const UNIT_LABELS: Readonly<Record<ErrorRateUnit, string>> = {
  percent: 'Percent of requests',
  count: 'Number of errors',
};

/** Error rate only: a percentage of requests or a count of errors. */
export function ErrorRateUnitField({ value, onValue, error }: UnitFieldProps) {
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={error === undefined ? undefined : errorId('rule-unit')}
    >
      <legend>Measure errors as</legend>
      <div className="choices">
        {(['percent', 'count'] as const).map((unit) => (
          <label key={unit} className="choice">
            <input
              type="radio"
              name="rule-unit"
              value={unit}
              checked={value === unit}
              onChange={() => onValue(unit)}
            />
            <span>{UNIT_LABELS[unit]}</span>
          </label>
        ))}
      </div>
      <FieldError id="rule-unit" message={error} />
    </fieldset>
  );
}
