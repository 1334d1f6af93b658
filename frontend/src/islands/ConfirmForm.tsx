import { type FormEvent, useEffect, useState } from 'react';
import { CodeField, EmailField } from '../components/FormField.tsx';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../hooks/use-hydrated.ts';
import { useQuery } from '../hooks/use-query.ts';
import { useSubmit } from '../hooks/use-submit.ts';
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
  const { busy, error, run } = useSubmit();
  const [info, setInfo] = useState<string>();

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
        <EmailField autoComplete="username" value={email} onValue={setEmail} />
        <CodeField value={code} onValue={setCode} />
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
