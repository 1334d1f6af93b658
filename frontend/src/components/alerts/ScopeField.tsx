import { PROVIDER_IDS, type ProviderId } from '#contracts/providers.ts';
import { providerName } from '../../lib/providers.ts';
import { SCOPE_KIND_LABELS, type ScopeKind } from '../../lib/scopes.ts';
import { describedBy, errorId, FieldError } from '../FormField.tsx';

interface ScopeFieldProps {
  readonly kind: ScopeKind;
  readonly onKind: (kind: ScopeKind) => void;
  readonly value: string;
  readonly onValue: (value: string) => void;
  /** A rule from before scopes: its provider list, kept until the scope is changed. */
  readonly legacyProviders?: readonly ProviderId[] | undefined;
  readonly error?: string | undefined;
}

const PLACEHOLDERS: Readonly<Record<Exclude<ScopeKind, 'account' | 'provider'>, string>> = {
  model: 'gpt-4o-mini',
  requester: 'checkout-agent',
  tag: 'feature:search',
};

/** What part of the traffic a rule watches: all of it, one provider, model, requester or tag. */
export function ScopeField({
  kind,
  onKind,
  value,
  onValue,
  legacyProviders,
  error,
}: ScopeFieldProps) {
  const kinds = Object.keys(SCOPE_KIND_LABELS) as ScopeKind[];
  return (
    <fieldset
      className="field fieldset"
      aria-describedby={error === undefined ? undefined : errorId('rule-scope')}
    >
      <legend>Watch</legend>
      <div className="choices">
        {kinds.map((option) => (
          <label key={option} className="choice">
            <input
              type="radio"
              name="rule-scope-kind"
              checked={kind === option}
              onChange={() => {
                onKind(option);
                onValue(option === 'provider' ? (PROVIDER_IDS[0] ?? '') : '');
              }}
            />
            <span>{SCOPE_KIND_LABELS[option]}</span>
          </label>
        ))}
      </div>
      {kind === 'provider' && (
        <select
          id="rule-scope-value"
          aria-label="Provider"
          value={value}
          onChange={(event) => onValue(event.target.value)}
        >
          {PROVIDER_IDS.map((provider) => (
            <option key={provider} value={provider}>
              {providerName(provider)}
            </option>
          ))}
        </select>
      )}
      {kind !== 'account' && kind !== 'provider' && (
        <input
          id="rule-scope-value"
          type="text"
          aria-label={SCOPE_KIND_LABELS[kind]}
          placeholder={PLACEHOLDERS[kind]}
          autoComplete="off"
          value={value}
          onChange={(event) => onValue(event.target.value)}
          aria-describedby={describedBy(undefined, error && errorId('rule-scope'))}
        />
      )}
      {legacyProviders !== undefined && (
        <p className="field__hint">
          Also limited to {legacyProviders.map(providerName).join(', ')} (set before scopes
          existed); choosing another scope replaces that list.
        </p>
      )}
      <FieldError id="rule-scope" message={error} />
    </fieldset>
  );
}
