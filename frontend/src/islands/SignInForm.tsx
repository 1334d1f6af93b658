import { type FormEvent, useEffect, useState } from 'react';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../components/use-hydrated.ts';
import { useQuery } from '../components/use-query.ts';
import { errorMessage } from '../lib/api-client.ts';
import { safeNextPath, signIn } from '../lib/auth.ts';
import { CognitoError } from '../lib/cognito.ts';

/** Email + password sign-in; returns to `?next=` (same-origin paths only) or Integrate. */
export default function SignInForm() {
  const hydrated = useHydrated();
  const params = useQuery();
  const [email, setEmail] = useState('');
  const presetEmail = params.get('email');
  useEffect(() => {
    if (presetEmail) setEmail(presetEmail);
  }, [presetEmail]);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [unconfirmed, setUnconfirmed] = useState(false);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setUnconfirmed(false);
    signIn(email.trim(), password).then(
      () => location.assign(safeNextPath(params.get('next'))),
      (caught: unknown) => {
        setUnconfirmed(
          caught instanceof CognitoError && caught.code === 'UserNotConfirmedException',
        );
        setError(errorMessage(caught));
        setBusy(false);
      },
    );
  };

  return (
    <form onSubmit={submit}>
      <fieldset className="form fieldset" disabled={!hydrated}>
        {params.get('confirmed') === '1' && (
          <Notice kind="success">Your email address is confirmed. Sign in to continue.</Notice>
        )}
        {error && (
          <Notice kind="error">
            {error}{' '}
            {unconfirmed && (
              <a href={`/confirm?email=${encodeURIComponent(email.trim())}`}>Enter the code</a>
            )}
          </Notice>
        )}
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
          <label htmlFor="password">Password</label>
          <input
            id="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </div>
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </fieldset>
    </form>
  );
}
