import { ALERT_RULE_TYPES, type AlertRuleType } from '#contracts/alerts-api.ts';
import { ALERT_TYPE_HINTS, ALERT_TYPE_LABELS } from '../../lib/alert-rules.ts';
import { describedBy, errorId, FieldError } from '../FormField.tsx';

interface RuleTypeFieldProps {
  readonly value: AlertRuleType;
  readonly onValue: (type: AlertRuleType) => void;
  readonly error?: string | undefined;
}

/** The four rule types as one radio group; the chosen type's description is read with it. */
export function RuleTypeField({ value, onValue, error }: RuleTypeFieldProps) {
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={describedBy('rule-type-hint', error && errorId('rule-type'))}
    >
      <legend>Type</legend>
      <div className="choices">
        {ALERT_RULE_TYPES.map((type) => (
          <label key={type} className="choice">
            <input
              type="radio"
              name="rule-type"
              value={type}
              checked={value === type}
              onChange={() => onValue(type)}
            />
            <span>{ALERT_TYPE_LABELS[type]}</span>
          </label>
        ))}
      </div>
      <span id="rule-type-hint" className="field__hint">
        {ALERT_TYPE_HINTS[value]}
      </span>
      <FieldError id="rule-type" message={error} />
    </fieldset>
  );
}
