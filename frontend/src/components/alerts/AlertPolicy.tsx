import type { AlertsListDto } from '#contracts/alerts-api.ts';

type Windows = AlertsListDto['windows'];

/** How rules measure and when they notify, in the API's own numbers. */
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
          A rule notifies its channels (your account email, webhooks, Slack) of the highest level it
          reached: passing both at once sends one Alert. Each level notifies each channel at most
          once per {windows.levelCooldownHours} hours, and no Warning follows an Alert within that
          time. A failed webhook or Slack delivery is retried for 24 hours.
        </li>
        <li>
          Budgets add up spending in your currency from the start of their period through now.
        </li>
        <li data-alert-trends>
          Forecast projects this month's spend: the exact spend of the days already closed plus the
          average day of the last {windows.forecastPaceDays} days for each day left; it needs{' '}
          {windows.forecastMinDays} whole days of history. Spike compares the last complete hour
          with the median hour of the {windows.spikeBaselineDays} days before it (at least{' '}
          {windows.spikeMinBaselineHours} hours of history), once that hour is sealed, and ignores
          hours below the rule's minimum.
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
          {windows.testCooldownHours} hours per rule. A channel's Test sends to that channel only.
        </li>
        <li>Up to {windows.maxRules} rules per account.</li>
      </ul>
    </section>
  );
}
