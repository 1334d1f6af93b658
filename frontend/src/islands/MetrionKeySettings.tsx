import { useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { SecretValue } from '../components/SecretValue.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api, errorMessage } from '../lib/api-client.ts';

/** Settings → Metrion Key: view, copy and regenerate (with confirmation). */
export default function MetrionKeySettings() {
  const { resource, reload, setValue } = useReadOnMount(() => api.getMetrionKey());
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: 'success' | 'error'; message: string }>();

  if (resource.state === 'loading') return <Loading what="your Metrion Key" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const regenerate = () => {
    setBusy(true);
    setResult(undefined);
    api.regenerateMetrionKey().then(
      (fresh) => {
        setValue(fresh);
        setResult({
          kind: 'success',
          message: 'New key created. The old key stopped working; update every app that used it.',
        });
        setBusy(false);
        setConfirming(false);
      },
      (error: unknown) => {
        setResult({ kind: 'error', message: errorMessage(error) });
        setBusy(false);
        setConfirming(false);
      },
    );
  };

  return (
    <section className="card" aria-labelledby="token-heading">
      <h2 id="token-heading">Metrion Key</h2>
      <p className="card__hint">
        Your SDK sends this key instead of a provider key (stored mode), or in the{' '}
        <code className="code-inline">x-metrion-token</code> header next to your own provider key
        (pass-through mode).
      </p>
      {result && <Notice kind={result.kind}>{result.message}</Notice>}
      <SecretValue value={resource.value.metrionKey} name="Metrion Key" id="metrion-key" />
      <h3 className="section-gap">Regenerate</h3>
      <p className="card__hint">
        If the key leaked, replace it. The current key stops working on the very next request.
      </p>
      <button
        type="button"
        className="button button--danger-outline"
        onClick={() => setConfirming(true)}
      >
        Regenerate key…
      </button>
      <ConfirmDialog
        open={confirming}
        title="Regenerate the Metrion Key?"
        confirmLabel="Regenerate key"
        busy={busy}
        onConfirm={regenerate}
        onCancel={() => setConfirming(false)}
      >
        <p>
          The current key stops working immediately. Every app that uses it fails until you paste
          the new key.
        </p>
      </ConfirmDialog>
    </section>
  );
}
