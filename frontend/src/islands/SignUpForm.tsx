import { type FormEvent, useState } from 'react';
import { CodeField, EmailField, FormField } from '../components/FormField.tsx';
import { Notice } from '../components/Notice.tsx';
import { useHydrated } from '../hooks/use-hydrated.ts';
import { useSubmit } from '../hooks/use-submit.ts';
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
  const { busy, error, run } = useSubmit();
  const [info, setInfo] = useState<string>();

  const finish = async () => {
    await signIn(email, password);
    location.assign(AFTER_SIGN_UP);
  };

  const submitDetails = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      const { needsCode } = await signUp(email.trim(), password);
      if (!needsCode) return finish();
      setInfo(`We sent a confirmation code to ${email.trim()}.`);
      setStep('code');
    });
  };

  const submitCode = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await confirmEmail(email.trim(), code.trim());
      await finish();
    });
  };

  const resend = () =>
    run(async () => {
      await resendCode(email.trim());
      setInfo(`We sent a new code to ${email.trim()}.`);
    });

  if (step === 'code') {
    return (
      <CodeStep
        hydrated={hydrated}
        info={info}
        error={error}
        code={code}
        onCode={setCode}
        busy={busy}
        onSubmit={submitCode}
        onResend={resend}
      />
    );
  }

  return (
    <form onSubmit={submitDetails}>
      <fieldset className="form fieldset" disabled={!hydrated}>
        {error && <Notice kind="error">{error}</Notice>}
        <EmailField autoComplete="email" value={email} onValue={setEmail} />
        <FormField
          id="password"
          label="Password"
          type="password"
          autoComplete="new-password"
          minLength={12}
          required
          value={password}
          onValue={setPassword}
          hint="At least 12 characters with upper- and lower-case letters, a number and a symbol."
        />
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Creating your account…' : 'Create account'}
        </button>
      </fieldset>
    </form>
  );
}

/** The confirmation code Cognito mailed, with a way to ask for a new one. */
function CodeStep(props: {
  hydrated: boolean;
  info: string | undefined;
  error: string | undefined;
  code: string;
  onCode: (code: string) => void;
  busy: boolean;
  onSubmit: (event: FormEvent) => void;
  onResend: () => void;
}) {
  return (
    <form onSubmit={props.onSubmit} noValidate>
      <fieldset className="form fieldset" disabled={!props.hydrated}>
        {props.info && <Notice kind="info">{props.info}</Notice>}
        {props.error && <Notice kind="error">{props.error}</Notice>}
        <CodeField value={props.code} onValue={props.onCode} />
        <div className="button-row">
          <button
            type="submit"
            className="button"
            disabled={props.busy || props.code.trim() === ''}
          >
            {props.busy ? 'Confirming…' : 'Confirm and continue'}
          </button>
          <button
            type="button"
            className="button button--secondary"
            disabled={props.busy}
            onClick={props.onResend}
          >
            Send a new code
          </button>
        </div>
      </fieldset>
    </form>
  );
}
