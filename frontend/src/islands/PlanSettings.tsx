import { PLAN_LIMITS } from '#contracts/plan-limits.ts';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { useResource } from '../hooks/use-resource.ts';
import { api } from '../lib/api-client.ts';
import { formatPlan } from '../lib/format.ts';

const count = new Intl.NumberFormat('en');

/** Settings → Plan: the current plan and what it includes (read-only until billing lands). */
export default function PlanSettings() {
  const { resource, reload } = useResource(() => api.getMe());

  if (resource.state === 'loading') return <Loading what="your plan" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const { plan } = resource.value;
  const limits = PLAN_LIMITS[plan];
  return (
    <section className="card" aria-labelledby="plan-heading">
      <div className="card__header">
        <h2 id="plan-heading">Plan</h2>
        <span className="badge" data-plan={plan}>
          {formatPlan(plan)}
        </span>
      </div>
      <p>
        You are on the <strong>{formatPlan(plan)}</strong> plan.
      </p>
      <table className="table table--plan">
        <tbody>
          <tr>
            <th scope="row">Proxy requests</th>
            <td>
              {limits.monthlyRequests === null
                ? 'No monthly cap'
                : `${count.format(limits.monthlyRequests)} per calendar month (UTC)`}
            </td>
          </tr>
          <tr>
            <th scope="row">Rate limit</th>
            <td>{count.format(limits.requestsPerMinutePerKey)} requests per minute per key</td>
          </tr>
          <tr>
            <th scope="row">Log retention</th>
            <td>{limits.logRetentionDays} days</td>
          </tr>
          <tr>
            <th scope="row">Alert rules</th>
            <td>{limits.alertRules ? 'Included' : 'Pro only'}</td>
          </tr>
        </tbody>
      </table>
      <p className="card__hint section-gap">
        {plan === 'free'
          ? 'Upgrading to Pro through Stripe Checkout is coming soon.'
          : 'Managing your subscription through the Stripe billing portal is coming soon.'}
      </p>
    </section>
  );
}
