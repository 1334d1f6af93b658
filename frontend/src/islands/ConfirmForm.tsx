import { type FormEvent, useEffect, useState } from 'react';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../components/use-hydrated.ts';
import { useQuery } from '../components/use-query.ts';
import { errorMessage } from '../lib/api-client.ts';
import { confirmEmail, resendCode } from '../lib/auth.ts';

/** Confirms an email address with the emailed code, for sign-ups finished in another session. */
export default function ConfirmForm() {
  const hydrated = useHydrated();
  const params = useQuery();
  const [email, setEmail] = useState('');
  const presetEmail = params.get('email');
  useEffect(() => {
    if (presetEmail) setEmail(presetEmail);
  }, [presetEmail]);
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();

  const run = (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    action()
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setBusy(false));
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await confirmEmail(email.trim(), code.trim());
      location.assign(`/sign-in?confirmed=1&email=${encodeURIComponent(email.trim())}`);
    });
  };

  return (
    <form onSubmit={submit}>
      <fieldset className="form fieldset" disabled={!hydrated}>
        {info && <Notice kind="info">{info}</Notice>}
        {error && <Notice kind="error">{error}</Notice>}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="code">Confirmation code</label>
          <input
            id="code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </div>
        <div className="button-row">
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm email'}
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={busy || email.trim() === ''}
            onClick={() =>
              run(async () => {
                await resendCode(email.trim());
                setInfo(`We sent a new code to ${email.trim()}.`);
              })
            }
          >
            Send a new code
          </button>
        </div>
      </fieldset>
    </form>
  );
}
