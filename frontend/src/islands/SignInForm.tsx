import { type FormEvent, useEffect, useState } from 'react';
import { AuthenticatorCodeField } from '../components/AuthenticatorCodeField.tsx';
import { EmailField, FormField } from '../components/FormField.tsx';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../hooks/use-hydrated.ts';
import { useQuery } from '../hooks/use-query.ts';
import { leavePage, useSubmit } from '../hooks/use-submit.ts';
import { safeNextPath, signIn, signInWithAuthenticatorCode } from '../lib/auth.ts';
import { CognitoError, MfaCodeRequired } from '../lib/cognito.ts';

/**
 * Email + password sign-in, then the authenticator code when the account has one; returns to
 * `?next=` (same-origin paths only) or Integrate.
 */
export default function SignInForm() {
  const hydrated = useHydrated();
  const params = useQuery();
  const [email, setEmail] = useState('');
  const presetEmail = params.get('email');
  useEffect(() => {
    if (presetEmail) setEmail(presetEmail);
  }, [presetEmail]);
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const [unconfirmed, setUnconfirmed] = useState(false);
  const [mfaSession, setMfaSession] = useState<string>();
  const [code, setCode] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setUnconfirmed(false);
    run(async () => {
      try {
        if (mfaSession === undefined) await signIn(email.trim(), password);
        else await signInWithAuthenticatorCode(email.trim(), mfaSession, code);
      } catch (caught) {
        if (caught instanceof MfaCodeRequired) {
          setMfaSession(caught.session);
          return;
        }
        setUnconfirmed(
          caught instanceof CognitoError && caught.code === 'UserNotConfirmedException',
        );
        throw caught;
      }
      await leavePage(safeNextPath(params.get('next')));
    });
  };

  if (mfaSession !== undefined) {
    return (
      <form onSubmit={submit}>
        <fieldset className="form fieldset" disabled={!hydrated}>
          {error && <Notice kind="error">{error}</Notice>}
          <AuthenticatorCodeField value={code} onValue={setCode} />
          <button type="submit" className="button" disabled={busy}>
            {busy ? 'Checking…' : 'Sign in'}
          </button>
        </fieldset>
      </form>
    );
  }

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
        <EmailField autoComplete="username" value={email} onValue={setEmail} />
        <FormField
          id="password"
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onValue={setPassword}
        />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </fieldset>
    </form>
  );
}
