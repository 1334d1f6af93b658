import { type FormEvent, useState } from 'react';
import type { AlertChannelDto, AlertDeliveryDto } from '#contracts/alert-channels-api.ts';
import { CHANNEL_KIND_LABELS, lastDeliveryText, resultText } from '../../lib/alert-channels.ts';
import { api, errorMessage } from '../../lib/api-client.ts';
import { formatDateTime } from '../../lib/format.ts';
import { FormField } from '../FormField.tsx';
import { Notice } from '../Notice.tsx';
import { SecretValue } from '../SecretValue.tsx';

interface AlertChannelsProps {
  readonly channels: readonly AlertChannelDto[];
  readonly maxChannels: number;
  readonly onChannels: (channels: AlertChannelDto[]) => void;
}

type PageNotice = { readonly kind: 'success' | 'error'; readonly message: string };

/**
 * Test, Delete and Deliveries on one channel at a time; each ends in a notice for the page.
 */
function useChannelActions(
  channels: readonly AlertChannelDto[],
  onChannels: (channels: AlertChannelDto[]) => void,
) {
  const [notice, setNotice] = useState<PageNotice>();
  const [busyId, setBusyId] = useState<string>();
  const [log, setLog] = useState<{ id: string; deliveries: readonly AlertDeliveryDto[] }>();

  const act = async (id: string, action: () => Promise<PageNotice>) => {
    setBusyId(id);
    setNotice(undefined);
    try {
      setNotice(await action());
    } catch (caught) {
      setNotice({ kind: 'error', message: errorMessage(caught) });
    } finally {
      setBusyId(undefined);
    }
  };
  const test = (channel: AlertChannelDto) =>
    act(channel.id, async () => {
      const sent = await api.testAlertChannel(channel.id);
      const { channels: fresh } = await api.listAlertChannels();
      onChannels(fresh);
      const how = sent.lastResult ? resultText(sent.lastResult) : sent.status;
      return sent.status === 'delivered'
        ? { kind: 'success', message: `Test sent to “${channel.name}” (${how}).` }
        : { kind: 'error', message: `Test to “${channel.name}” failed (${how}).` };
    });
  const remove = (channel: AlertChannelDto) =>
    act(channel.id, async () => {
      await api.deleteAlertChannel(channel.id);
      onChannels(channels.filter((c) => c.id !== channel.id));
      return { kind: 'success', message: `Deleted “${channel.name}”.` };
    });
  const showLog = (channel: AlertChannelDto) =>
    act(channel.id, async () => {
      const { deliveries } = await api.listAlertChannelDeliveries(channel.id);
      setLog({ id: channel.id, deliveries });
      return { kind: 'success', message: `${deliveries.length} deliveries in the last 7 days.` };
    });
  return { notice, setNotice, busyId, log, test, remove, showLog };
}

/**
 * Where alerts go: the account's email and the webhook and Slack channels, with Add, Test,
 * Delete and each channel's recent deliveries. A webhook's signing secret is shown once.
 */
export function AlertChannels({ channels, maxChannels, onChannels }: AlertChannelsProps) {
  const [adding, setAdding] = useState(false);
  const [secret, setSecret] = useState<{ name: string; value: string }>();
  const { notice, setNotice, busyId, log, test, remove, showLog } = useChannelActions(
    channels,
    onChannels,
  );

  return (
    <section className="card" aria-labelledby="alert-channels-heading">
      <div className="card__header">
        <h2 id="alert-channels-heading">Channels</h2>
        <button
          type="button"
          className="button button--small"
          disabled={adding || channels.length > maxChannels}
          onClick={() => setAdding(true)}
        >
          Add channel
        </button>
      </div>
      <p className="card__hint">
        Rules notify the channels you tick. Webhooks get a signed JSON POST (
        <code>x-metrion-signature</code>); failed deliveries are retried for 24 hours.
      </p>
      {notice && <Notice kind={notice.kind}>{notice.message}</Notice>}
      {secret && (
        <Notice kind="success">
          <p>Signing secret of “{secret.name}”. Copy it now: it is not shown again.</p>
          <SecretValue id="channel-secret" name="signing secret" value={secret.value} />
        </Notice>
      )}
      {adding && (
        <ChannelForm
          onCancel={() => setAdding(false)}
          onCreated={(channel, shownSecret) => {
            onChannels([...channels, channel]);
            setAdding(false);
            if (shownSecret !== undefined) setSecret({ name: channel.name, value: shownSecret });
            setNotice({ kind: 'success', message: `Added “${channel.name}”.` });
          }}
        />
      )}
      <ChannelTable
        channels={channels}
        busy={busyId !== undefined}
        onTest={test}
        onLog={showLog}
        onRemove={remove}
      />
      {log && <DeliveryLog deliveries={log.deliveries} />}
    </section>
  );
}

/** A channel's recent deliveries: when, what, how it went. */
function DeliveryLog({ deliveries }: { readonly deliveries: readonly AlertDeliveryDto[] }) {
  if (deliveries.length === 0) return <p className="empty">No deliveries in the last 7 days.</p>;
  return (
    <div className="table-scroll">
      <table className="table table--deliveries">
        <caption>Recent deliveries</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Rule</th>
            <th scope="col">Level</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last answer</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((delivery) => (
            <tr key={delivery.id}>
              <td className="nowrap">{formatDateTime(delivery.createdAt)}</td>
              <td>{delivery.ruleName}</td>
              <td>{delivery.level}</td>
              <td>{delivery.status}</td>
              <td>{delivery.attempts}</td>
              <td>{delivery.lastResult ? resultText(delivery.lastResult) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Add a webhook or Slack channel: kind, name, URL (checked by the API, DNS included). */
function ChannelForm({
  onCreated,
  onCancel,
}: {
  readonly onCreated: (channel: AlertChannelDto, secret: string | undefined) => void;
  readonly onCancel: () => void;
}) {
  const [kind, setKind] = useState<'webhook' | 'slack'>('webhook');
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    api
      .createAlertChannel({ kind, name, url })
      .then((created) => onCreated(created.channel, created.secret))
      .catch((caught: unknown) => setError(errorMessage(caught)))
      .finally(() => setBusy(false));
  };
  return (
    <form className="form form--wide" onSubmit={submit} noValidate aria-label="Add channel">
      {error && <Notice kind="error">{error}</Notice>}
      <div className="field">
        <label htmlFor="channel-kind">Kind</label>
        <select
          id="channel-kind"
          value={kind}
          onChange={(event) => setKind(event.target.value as 'webhook' | 'slack')}
        >
          <option value="webhook">Webhook (signed JSON POST)</option>
          <option value="slack">Slack incoming webhook</option>
        </select>
      </div>
      <FormField
        id="channel-name"
        label="Name"
        type="text"
        maxLength={80}
        value={name}
        onValue={setName}
      />
      <FormField
        id="channel-url"
        label="URL"
        type="url"
        autoComplete="off"
        value={url}
        onValue={setUrl}
        hint={
          kind === 'slack'
            ? 'The incoming-webhook URL Slack gave you (https://hooks.slack.com/services/…).'
            : 'An https URL on a public address; redirects are not followed.'
        }
      />
      <div className="button-row">
        <button type="submit" className="button" disabled={busy}>
          {busy ? 'Adding…' : 'Add channel'}
        </button>
        <button
          type="button"
          className="button button--secondary"
          onClick={onCancel}
          disabled={busy}
        >
          Cancel
        </button>
      </div>
    </form>
  );
}

/** One row per channel, with Test, Deliveries and (except the account email) Delete. */
function ChannelTable(props: {
  channels: readonly AlertChannelDto[];
  busy: boolean;
  onTest: (channel: AlertChannelDto) => void;
  onLog: (channel: AlertChannelDto) => void;
  onRemove: (channel: AlertChannelDto) => void;
}) {
  return (
    <div className="table-scroll">
      <table className="table table--channels">
        <caption className="visually-hidden">Alert channels</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Kind</th>
            <th scope="col">Target</th>
            <th scope="col">Last delivery</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.channels.map((channel) => (
            <tr key={channel.id} data-channel={channel.kind}>
              <th scope="row">{channel.name}</th>
              <td>{CHANNEL_KIND_LABELS[channel.kind]}</td>
              <td className="cell-url">{channel.target}</td>
              <td className="nowrap">{lastDeliveryText(channel)}</td>
              <td>
                <div className="row-actions">
                  <button
                    type="button"
                    className="button button--small button--secondary"
                    disabled={props.busy}
                    onClick={() => props.onTest(channel)}
                  >
                    Test
                  </button>
                  <button
                    type="button"
                    className="button button--small button--secondary"
                    disabled={props.busy}
                    onClick={() => props.onLog(channel)}
                  >
                    Deliveries
                  </button>
                  {channel.kind !== 'email' && (
                    <button
                      type="button"
                      className="button button--small button--danger"
                      disabled={props.busy}
                      onClick={() => props.onRemove(channel)}
                    >
                      Delete
                    </button>
                  )}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
