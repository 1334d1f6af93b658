import { useState } from 'react';
import { ConfirmDialog } from '../components/ConfirmDialog.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api, errorMessage, type ResponseOf } from '../lib/api-client.ts';
import { formatDate } from '../lib/format.ts';
import { type ProviderId, providerName } from '../lib/providers.ts';

type Deleted = ResponseOf<'deleteProviderKey'>;

type SavedKeys = ResponseOf<'listProviderKeys'>;

/** Settings → Providers: saved provider keys (never the key itself) and deletion. */
export default function ProviderSettings() {
  const { resource, reload, setValue } = useReadOnMount(() => api.listProviderKeys());
  const [pending, setPending] = useState<ProviderId>();
  const [busy, setBusy] = useState(false);
  const [deleted, setDeleted] = useState<Deleted>();
  const [error, setError] = useState<string>();

  if (resource.state === 'loading') return <Loading what="your provider keys" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const { providers } = resource.value;
  const remove = () => {
    if (!pending) return;
    setBusy(true);
    setError(undefined);
    setDeleted(undefined);
    api.deleteProviderKey(pending).then(
      (answer) => {
        setValue({ providers: providers.filter((entry) => entry.provider !== answer.provider) });
        setDeleted(answer);
        setBusy(false);
        setPending(undefined);
      },
      (caught: unknown) => {
        setError(errorMessage(caught));
        setBusy(false);
        setPending(undefined);
      },
    );
  };

  return (
    <section className="card" aria-labelledby="providers-heading">
      <div className="card__header">
        <h2 id="providers-heading">Provider keys</h2>
        <a className="button button--secondary button--small" href="/integrate">
          Add a key
        </a>
      </div>
      <p className="card__hint">
        Keys are stored encrypted and used only to forward your requests. They are never shown
        again, not even in part.
      </p>
      {error && <Notice kind="error">{error}</Notice>}
      {deleted && <DeletedNotice deleted={deleted} />}
      {providers.length === 0 ? (
        <p className="empty">
          No provider keys saved. <a href="/integrate">Add one on the Integrate page</a>, or use
          pass-through mode.
        </p>
      ) : (
        <ProviderKeyTable providers={providers} onDelete={setPending} />
      )}
      <ConfirmDialog
        open={pending !== undefined}
        title={`Delete the ${pending ? providerName(pending) : ''} key?`}
        confirmLabel="Delete key"
        busy={busy}
        onConfirm={remove}
        onCancel={() => setPending(undefined)}
      >
        <p>
          Requests in stored mode for this provider fail until you add a key again. Pass-through
          requests keep working.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/** A deleted key still works at the provider: say so and link to where to revoke it. */
function DeletedNotice({ deleted }: { deleted: Deleted }) {
  return (
    <Notice kind="success">
      <p>
        {providerName(deleted.provider)} key deleted from Metrion. It still works at{' '}
        {providerName(deleted.provider)} until you revoke it there.
      </p>
      <a href={deleted.revokeUrl} target="_blank" rel="noopener noreferrer" data-revoke-link>
        Revoke it in the {providerName(deleted.provider)} console
        <span className="visually-hidden"> (opens in a new tab)</span>
      </a>
    </Notice>
  );
}

/** One row per saved key: provider, when it was added, and Delete. */
function ProviderKeyTable(props: {
  providers: SavedKeys['providers'];
  onDelete: (provider: ProviderId) => void;
}) {
  return (
    <table className="table">
      <thead>
        <tr>
          <th scope="col">Provider</th>
          <th scope="col">Added</th>
          <th scope="col">
            <span className="visually-hidden">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.providers.map((entry) => (
          <tr key={entry.provider}>
            <td>{providerName(entry.provider)}</td>
            <td>
              <time dateTime={entry.createdAt}>{formatDate(entry.createdAt)}</time>
            </td>
            <td>
              <button
                type="button"
                className="button button--danger-outline button--small"
                onClick={() => props.onDelete(entry.provider)}
                aria-label={`Delete ${providerName(entry.provider)} key`}
              >
                Delete
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
