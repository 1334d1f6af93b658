import { Budgets } from '../components/budgets/Budgets.tsx';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api } from '../lib/api-client.ts';

/** `/budgets`: the account's budgets with this period's figures. */
export default function BudgetsPage() {
  const { resource, reload } = useReadOnMount(() => api.listBudgets());
  if (resource.state === 'loading') return <Loading what="your budgets" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;
  return <Budgets list={resource.value} />;
}
