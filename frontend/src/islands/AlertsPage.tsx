import type { AlertsListDto } from '#contracts/alerts-api.ts';
import { AlertRules } from '../components/alerts/AlertRules.tsx';
import { AlertsUpgrade } from '../components/alerts/AlertsUpgrade.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { ApiRequestError, api, type ResponseOf } from '../lib/api-client.ts';

type AlertsView =
  | { readonly plan: 'pro'; readonly account: ResponseOf<'getMe'>; readonly list: AlertsListDto }
  | { readonly plan: 'free'; readonly upgradeHint: string };

/** The account and its rules; the API's 403 `plan_required` (Free) becomes the upgrade view. */
async function loadAlerts(): Promise<AlertsView> {
  try {
    const [account, list] = await Promise.all([api.getMe(), api.listAlertRules()]);
    return { plan: 'pro', account, list };
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
  return <AlertRules list={view.list} currency={view.account.currency} />;
}
