import { type FormEvent, useState } from 'react';
import { AuthenticatorCodeField } from '../components/AuthenticatorCodeField.tsx';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { SecretValue } from '../components/SecretValue.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { useSubmit } from '../hooks/use-submit.ts';
import { authenticator } from '../lib/auth.ts';
import type { AuthenticatorSetup } from '../lib/cognito-mfa.ts';

/** The secret in groups of four, as authenticator apps print it. */
function grouped(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret;
}

/**
 * Settings → Security: an optional authenticator app (TOTP) as a second sign-in factor. Set up
 * in two steps (add the key to the app, confirm with a code); turned off with confirmation.
 */
export default function AuthenticatorSettings() {
  const { resource, reload, setValue } = useReadOnMount(() => authenticator.enabled());
  const [setup, setSetup] = useState<AuthenticatorSetup>();
  const [code, setCode] = useState('');
  const [confirmingOff, setConfirmingOff] = useState(false);
  const [done, setDone] = useState<string>();
  const { busy, error, run } = useSubmit();

  if (resource.state === 'loading') return <Loading what="your sign-in settings" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const begin = () =>
    run(async () => {
      setDone(undefined);
      setSetup(await authenticator.start());
    });
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    run(async () => {
      await authenticator.confirm(code);
      setSetup(undefined);
      setCode('');
      setValue(true);
      setDone('Authenticator app on. Every sign-in now asks for its code.');
    });
  };
  const turnOff = () =>
    run(async () => {
      await authenticator.turnOff();
      setConfirmingOff(false);
      setValue(false);
      setDone('Authenticator app off. Sign-in asks for your password only.');
    });

  return (
    <section className="card" aria-labelledby="authenticator-heading">
      <h2 id="authenticator-heading">Authenticator app</h2>
      <p className="card__hint">
        A second step at sign-in: after your password, the 6-digit code from an app such as
        1Password, Google Authenticator or Authy. Your account holds your provider keys; this keeps
        a leaked password from opening it.
      </p>
      {done && <Notice kind="success">{done}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {resource.value ? (
        <AuthenticatorOn
          busy={busy}
          confirmingOff={confirmingOff}
          onConfirmingOff={setConfirmingOff}
          onTurnOff={turnOff}
        />
      ) : setup === undefined ? (
        <button type="button" className="button" onClick={begin} disabled={busy}>
          {busy ? 'Starting…' : 'Set up an authenticator app'}
        </button>
      ) : (
        <SetupForm setup={setup} code={code} onCode={setCode} busy={busy} onSubmit={confirm} />
      )}
    </section>
  );
}

/** The app is on: say so, and turn it off after a confirmation. */
function AuthenticatorOn(props: {
  busy: boolean;
  confirmingOff: boolean;
  onConfirmingOff: (confirming: boolean) => void;
  onTurnOff: () => void;
}) {
  return (
    <>
      <p>
        <strong>On.</strong> Sign-in asks for a code from your app.
      </p>
      <button
        type="button"
        className="button button--danger-outline"
        onClick={() => props.onConfirmingOff(true)}
      >
        Turn off…
      </button>
      <ConfirmDialog
        open={props.confirmingOff}
        title="Turn off the authenticator app?"
        confirmLabel="Turn off"
        busy={props.busy}
        onConfirm={props.onTurnOff}
        onCancel={() => props.onConfirmingOff(false)}
      >
        Sign-in will ask for your password only.
      </ConfirmDialog>
    </>
  );
}

/** Step two of the set-up: the key to add to the app, then the code it shows. */
function SetupForm(props: {
  setup: AuthenticatorSetup;
  code: string;
  onCode: (code: string) => void;
  busy: boolean;
  onSubmit: (event: FormEvent) => void;
}) {
  return (
    <form onSubmit={props.onSubmit} className="form">
      <ol>
        <li>
          <p>In your authenticator app, add an account with this setup key (time-based):</p>
          <SecretValue
            value={grouped(props.setup.secret)}
            name="setup key"
            id="authenticator-setup-key"
          />
          <p className="card__hint">
            On a phone, <a href={props.setup.uri}>open it in your authenticator app</a> instead.
          </p>
        </li>
        <li>Enter the code the app shows for Metrion.</li>
      </ol>
      <AuthenticatorCodeField value={props.code} onValue={props.onCode} />
      <button type="submit" className="button" disabled={props.busy}>
        {props.busy ? 'Checking…' : 'Turn on'}
      </button>
    </form>
  );
}
