import type { AlertsListDto } from '#contracts/alerts-api.ts';

type Windows = AlertsListDto['windows'];

/** How rules measure and when they email, in the API's own numbers. */
export function AlertPolicy({ windows }: { readonly windows: Windows }) {
  return (
    <section className="card" aria-labelledby="alert-policy-heading">
      <h2 id="alert-policy-heading">How alerts work</h2>
      <ul className="plain-list">
        <li>
          Each rule has two levels: <strong>Warning</strong> at {windows.warningPercent}% of its
          threshold and <strong>Alert</strong> at 100%.
        </li>
        <li>
          A rule emails your account address the highest level it reached: passing both at once
          sends one Alert. Each level emails at most once per {windows.levelCooldownHours} hours,
          and no Warning follows an Alert within that time.
        </li>
        <li>
          Budgets add up spending in your currency from the start of their period through now.
        </li>
        <li data-alert-windows>
          Error rate, latency p95 and request volume are measured over the previous UTC hour and the
          current one through now (between {windows.minMinutes} and {windows.maxMinutes} minutes).
          Error rate counts the errors providers returned, not Metrion's own (its rate limits and
          timeouts); in percent it needs at least {windows.errorRateMinRequests} requests answered
          by the provider in that window.
        </li>
        <li>
          Test sends a real email now, whatever the usage, at most once per{' '}
          {windows.testCooldownHours} hours per rule.
        </li>
        <li>Up to {windows.maxRules} rules per account.</li>
      </ul>
    </section>
  );
}
