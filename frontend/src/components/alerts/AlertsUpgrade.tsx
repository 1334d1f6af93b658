import { LEVEL_COOLDOWN_HOURS, WARNING_PERCENT } from '#contracts/alerts-api.ts';

/** Free plan: the API's upgrade hint, what Pro alerts do, and the way to the plan page. */
export function AlertsUpgrade({ message }: { readonly message: string }) {
  return (
    <section className="card" aria-labelledby="alerts-upgrade-heading">
      <h2 id="alerts-upgrade-heading">Alert rules come with Pro</h2>
      <p data-upgrade-hint>{message}</p>
      <p>
        Get an email when spending reaches a budget, when the error rate or p95 latency climbs, or
        when request volume jumps. Each rule warns at {WARNING_PERCENT}% and alerts at 100% of its
        threshold, at most once per level every {LEVEL_COOLDOWN_HOURS} hours.
      </p>
      <a className="button" href="/settings/billing">
        See your plan
      </a>
    </section>
  );
}
