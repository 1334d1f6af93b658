import { PROVIDER_IDS, type ProviderId } from '#contracts/providers.ts';
import { providerName } from '../../lib/providers.ts';
import { errorId, FieldError } from '../FormField.tsx';

interface ProviderScopeFieldProps {
  readonly scope: 'all' | 'some';
  readonly onScope: (scope: 'all' | 'some') => void;
  readonly providers: readonly ProviderId[];
  readonly onProviders: (providers: ProviderId[]) => void;
  readonly error?: string | undefined;
}

/** All providers, or the ones ticked. */
export function ProviderScopeField({
  scope,
  onScope,
  providers,
  onProviders,
  error,
}: ProviderScopeFieldProps) {
  const toggle = (provider: ProviderId, on: boolean) =>
    onProviders(
      on
        ? PROVIDER_IDS.filter((code) => code === provider || providers.includes(code))
        : providers.filter((code) => code !== provider),
    );
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={error === undefined ? undefined : errorId('rule-providers')}
    >
      <legend>Providers</legend>
      <div className="choices">
        <label className="choice">
          <input
            type="radio"
            name="rule-scope"
            checked={scope === 'all'}
            onChange={() => onScope('all')}
          />
          <span>All providers</span>
        </label>
        <label className="choice">
          <input
            type="radio"
            name="rule-scope"
            checked={scope === 'some'}
            onChange={() => onScope('some')}
          />
          <span>Only some</span>
        </label>
      </div>
      {scope === 'some' && (
        <fieldset className="fieldset">
          <legend className="visually-hidden">Watched providers</legend>
          <div className="choices">
            {PROVIDER_IDS.map((provider) => (
              <label key={provider} className="choice">
                <input
                  type="checkbox"
                  checked={providers.includes(provider)}
                  onChange={(event) => toggle(provider, event.target.checked)}
                />
                <span>{providerName(provider)}</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      <FieldError id="rule-providers" message={error} />
    </fieldset>
  );
}
