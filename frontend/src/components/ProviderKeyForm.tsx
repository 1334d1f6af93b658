import { type FormEvent, useState } from 'react';
import { errorMessage } from '../lib/api-client.ts';
import { PROVIDER_IDS, type ProviderId, providerName } from '../lib/providers.ts';
import { Notice } from './Notice.tsx';

interface ProviderKeyFormProps {
  /** The provider chosen in the dropdown (controlled, so the page can follow it). */
  readonly provider: ProviderId;
  readonly onProviderChange: (provider: ProviderId) => void;
  /** Providers that already have a stored key (saving again replaces it). */
  readonly saved: ReadonlySet<ProviderId>;
  /** Stores the key; rejects with a message for people. */
  readonly onSave: (provider: ProviderId, key: string) => Promise<void>;
}

/** Provider dropdown + key field: adds or replaces the stored key for one provider. */
export function ProviderKeyForm({
  provider,
  onProviderChange,
  saved,
  onSave,
}: ProviderKeyFormProps) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error'; message: string }>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(undefined);
    const replacing = saved.has(provider);
    onSave(provider, key).then(
      () => {
        setKey('');
        setResult({
          kind: 'success',
          message: `${providerName(provider)} key ${replacing ? 'replaced' : 'saved'}. It is stored encrypted and never shown again.`,
        });
        setBusy(false);
      },
      (error: unknown) => {
        setResult({ kind: 'error', message: errorMessage(error) });
        setBusy(false);
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Provider key">
      {result && <Notice kind={result.kind}>{result.message}</Notice>}
      <div className="inline-form">
        <div className="field field--narrow">
          <label htmlFor="provider">Provider</label>
          <select
            id="provider"
            value={provider}
            onChange={(event) => {
              onProviderChange(event.target.value as ProviderId);
              setResult(undefined);
            }}
          >
            {PROVIDER_IDS.map((id) => (
              <option key={id} value={id}>
                {providerName(id)}
                {saved.has(id) ? ' (saved)' : ''}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="provider-key">{providerName(provider)} API key</label>
          <input
            id="provider-key"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            placeholder={
              saved.has(provider) ? 'Paste a new key to replace the saved one' : 'Paste your key'
            }
            value={key}
            onChange={(event) => setKey(event.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy || key.trim() === ''}>
          {busy ? 'Saving…' : saved.has(provider) ? 'Replace key' : 'Save key'}
        </button>
      </div>
    </form>
  );
}
