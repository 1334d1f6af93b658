import { type FormEvent, useState } from 'react';
import { CURRENCIES, type Currency, MAX_DISPLAY_NAME_LENGTH } from '#contracts/settings-api.ts';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api, errorMessage, type ResponseOf } from '../lib/api-client.ts';
import { CURRENCY_LABELS, formatMoney } from '../lib/format.ts';

type Account = ResponseOf<'getMe'>;

/** A sample amount for the currency preview: 1,234.56 in micros. */
const PREVIEW_AMOUNT_MICROS = 1_234_560_000;

/** Settings → General: email and account id, display name and display currency. */
export default function GeneralSettings() {
  const { resource, reload } = useReadOnMount(() => api.getMe());

  if (resource.state === 'loading') return <Loading what="your settings" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;
  return <GeneralForm account={resource.value} />;
}

// Rendered only once the account is known, so the fields start with its values.
function GeneralForm({ account }: { readonly account: Account }) {
  const [displayName, setDisplayName] = useState(account.displayName);
  const [currency, setCurrency] = useState<Currency>(account.currency);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error'; message: string }>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setResult(undefined);
    api.updateGeneral({ displayName, currency }).then(
      (updated) => {
        setDisplayName(updated.displayName);
        setCurrency(updated.currency);
        setResult({ kind: 'success', message: 'Settings saved.' });
        setBusy(false);
      },
      (error: unknown) => {
        setResult({ kind: 'error', message: errorMessage(error) });
        setBusy(false);
      },
    );
  };

  return (
    <section className="card" aria-labelledby="general-heading">
      <h2 id="general-heading">General</h2>
      <form className="form" onSubmit={submit}>
        {result && <Notice kind={result.kind}>{result.message}</Notice>}
        <AccountIdentity account={account} />
        <div className="field">
          <label htmlFor="display-name">Display name</label>
          <input
            id="display-name"
            type="text"
            maxLength={MAX_DISPLAY_NAME_LENGTH}
            autoComplete="name"
            required
            value={displayName}
            onChange={(event) => setDisplayName(event.target.value)}
          />
        </div>
        <CurrencyChoice currency={currency} onChange={setCurrency} />
        <div>
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Saving…' : 'Save changes'}
          </button>
        </div>
      </form>
    </section>
  );
}

/** What identifies the account: shown, never edited here. */
function AccountIdentity({ account }: { readonly account: Account }) {
  return (
    <>
      <div className="field">
        <span className="field__label">Email</span>
        <span id="account-email">{account.email}</span>
      </div>
      <div className="field">
        <span className="field__label">Account id</span>
        <code id="account-id">{account.accountId}</code>
        <span className="field__hint">
          What support and the local admin CLI (<code>--account</code>) call this account.
        </span>
      </div>
    </>
  );
}

/** The display currency as radio buttons, with a sample amount in the chosen one. */
function CurrencyChoice(props: { currency: Currency; onChange: (currency: Currency) => void }) {
  return (
    <fieldset className="field fieldset">
      <legend>Currency</legend>
      <span className="field__hint" id="currency-hint">
        All cost figures are shown in this currency, converted with daily reference rates.
      </span>
      <div className="choices" aria-describedby="currency-hint">
        {CURRENCIES.map((code) => (
          <label key={code} className="choice">
            <input
              type="radio"
              name="currency"
              value={code}
              checked={props.currency === code}
              onChange={() => props.onChange(code)}
              aria-label={CURRENCY_LABELS[code]}
            />
            <span>{code}</span>
          </label>
        ))}
      </div>
      <span className="field__hint">
        Example: {formatMoney(PREVIEW_AMOUNT_MICROS, props.currency)}
      </span>
    </fieldset>
  );
}
