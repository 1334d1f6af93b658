import type { Currency } from '#contracts/settings-api.ts';
import { SPIKE_METRIC_LABELS, type SpikeMetric } from '../../lib/alert-rules.ts';
import { FormField } from '../FormField.tsx';

interface SpikeFieldsProps {
  readonly metric: SpikeMetric;
  readonly onMetric: (metric: SpikeMetric) => void;
  readonly minimum: string;
  readonly onMinimum: (minimum: string) => void;
  readonly currency: Currency;
  readonly errors: { readonly metric?: string | undefined; readonly minimum?: string | undefined };
}

/** Spike rules: what is counted, and the volume an hour needs before it can be a spike. */
export function SpikeFields({
  metric,
  onMetric,
  minimum,
  onMinimum,
  currency,
  errors,
}: SpikeFieldsProps) {
  return (
    <>
      <div className="field">
        <label htmlFor="rule-metric">Metric</label>
        <select
          id="rule-metric"
          value={metric}
          onChange={(event) => onMetric(event.target.value as SpikeMetric)}
        >
          {(Object.keys(SPIKE_METRIC_LABELS) as SpikeMetric[]).map((option) => (
            <option key={option} value={option}>
              {SPIKE_METRIC_LABELS[option]}
            </option>
          ))}
        </select>
      </div>
      <FormField
        id="rule-minimum"
        label={metric === 'cost' ? `Minimum per hour (${currency})` : `Minimum ${metric} per hour`}
        type="text"
        inputMode="decimal"
        autoComplete="off"
        value={minimum}
        onValue={onMinimum}
        hint="An hour below this is never a spike, so 1 against 0 does not alert."
        error={errors.minimum ?? errors.metric}
      />
    </>
  );
}
