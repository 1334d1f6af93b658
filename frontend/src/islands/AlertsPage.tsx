import { useState } from 'react';
import type { AlertsListDto } from '#contracts/alerts-api.ts';
import { AlertChannels } from '../components/alerts/AlertChannels.tsx';
import { AlertRules } from '../components/alerts/AlertRules.tsx';
import { AlertsUpgrade } from '../components/alerts/AlertsUpgrade.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { ApiRequestError, api, type ResponseOf } from '../lib/api-client.ts';

type AlertsView =
  | {
      readonly plan: 'pro';
      readonly account: ResponseOf<'getMe'>;
      readonly list: AlertsListDto;
      readonly channels: ResponseOf<'listAlertChannels'>;
    }
  | { readonly plan: 'free'; readonly upgradeHint: string };

/** The account and its rules; the API's 403 `plan_required` (Free) becomes the upgrade view. */
async function loadAlerts(): Promise<AlertsView> {
  try {
    const [account, list, channels] = await Promise.all([
      api.getMe(),
      api.listAlertRules(),
      api.listAlertChannels(),
    ]);
    return { plan: 'pro', account, list, channels };
  } catch (error) {
    if (error instanceof ApiRequestError && error.code === 'plan_required') {
      return { plan: 'free', upgradeHint: error.message };
    }
    throw error;
  }
}

/** `/alerts`: the rules on Pro, the upgrade hint on Free. */
export default function AlertsPage() {
  const { resource, reload } = useReadOnMount(loadAlerts);

  if (resource.state === 'loading') return <Loading what="your alert rules" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;
  const view = resource.value;
  if (view.plan === 'free') return <AlertsUpgrade message={view.upgradeHint} />;
  return <AlertsWorkspace view={view} />;
}

/** Rules and channels share the channel list: a channel added is offered to rules at once. */
function AlertsWorkspace({ view }: { readonly view: Extract<AlertsView, { plan: 'pro' }> }) {
  const [channels, setChannels] = useState(view.channels.channels);
  return (
    <>
      <AlertRules list={view.list} currency={view.account.currency} channels={channels} />
      <AlertChannels
        channels={channels}
        maxChannels={view.channels.maxChannels}
        onChannels={setChannels}
      />
    </>
  );
}
