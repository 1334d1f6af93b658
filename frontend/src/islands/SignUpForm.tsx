import { type FormEvent, useState } from 'react';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../components/use-hydrated.ts';
import { errorMessage } from '../lib/api-client.ts';
import { confirmEmail, resendCode, signIn, signUp } from '../lib/auth.ts';

/** Where a new account starts: the Integrate page (product.md §2). */
const AFTER_SIGN_UP = '/integrate';

/**
 * Sign-up with email and password. When Cognito asks for an email confirmation, the code step
 * follows in place (the password stays in memory only, so the user is signed in right after).
 */
export default function SignUpForm() {
  const hydrated = useHydrated();
  const [step, setStep] = useState<'details' | 'code'>('details');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [info, setInfo] = useState<string>();

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  const finish = async () => {
    await signIn(email, password);
    location.assign(AFTER_SIGN_UP);
  };

  const submitDetails = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const { needsCode } = await signUp(email.trim(), password);
      if (!needsCode) return finish();
      setInfo(`We sent a confirmation code to ${email.trim()}.`);
      setStep('code');
    });
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      await confirmEmail(email.trim(), code.trim());
      await finish();
    });
  };

  if (step === 'code') {
    return (
      <form onSubmit={submitCode} noValidate>
        <fieldset className="form fieldset" disabled={!hydrated}>
          {info && <Notice kind="info">{info}</Notice>}
          {error && <Notice kind="error">{error}</Notice>}
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
            <button type="submit" className="button" disabled={busy || code.trim() === ''}>
              {busy ? 'Confirming…' : 'Confirm and continue'}
            </button>
            <button
              type="button"
              className="button button--secondary"
              disabled={busy}
              onClick={() =>
                void run(async () => {
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

  return (
    <form onSubmit={submitDetails}>
      <fieldset className="form fieldset" disabled={!hydrated}>
        {error && <Notice kind="error">{error}</Notice>}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input
            id="email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="new-password"
            minLength={12}
            required
            aria-describedby="password-hint"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <span id="password-hint" className="field__hint">
            At least 12 characters with upper- and lower-case letters, a number and a symbol.
          </span>
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </fieldset>
    </form>
  );
}
