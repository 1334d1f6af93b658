import { useEffect, useState } from 'react';
import {
  type BillingViewDto,
  CHECKOUT_RETURN_PARAM,
  CHECKOUT_SUCCESS_VALUE,
} from '#contracts/billing-api.ts';
import { PLAN_LIMITS, type PlanLimits } from '#contracts/plan-limits.ts';
import { LoadFailed, Loading } from '../components/LoadFailed.tsx';
import { Notice } from '../components/Notice.tsx';
import { useReadOnMount } from '../hooks/use-read-on-mount.ts';
import { api, errorMessage } from '../lib/api-client.ts';
import { formatDate, formatMoneyDecimal, formatPlan, plural, shareWidth } from '../lib/format.ts';
import { pollUntil } from '../lib/poll.ts';

const count = new Intl.NumberFormat('en');

/** After Checkout, Stripe's webhook usually lands within seconds; wait this long for it. */
const CHECKOUT_POLL_INTERVAL_MS = 1_000;
const CHECKOUT_POLL_TIMEOUT_MS = 30_000;

type CheckoutReturn = 'none' | 'processing' | 'confirmed' | 'timed_out';

const ROWS: readonly { readonly label: string; readonly value: (limits: PlanLimits) => string }[] =
  [
    {
      label: 'Proxy requests',
      value: (limits) =>
        limits.monthlyRequests === null
          ? 'No monthly cap'
          : `${count.format(limits.monthlyRequests)} per calendar month (UTC)`,
    },
    {
      label: 'Rate limit',
      value: (limits) =>
        `${count.format(limits.requestsPerMinutePerKey)} requests per minute per key`,
    },
    { label: 'Log retention', value: (limits) => `${limits.logRetentionDays} days` },
    { label: 'Alert rules', value: (limits) => (limits.alertRules ? 'Included' : 'Pro only') },
  ];

/** A monthly price in USD, as Stripe charges it: `$29.00 per month`. */
const perMonth = (usd: string) => `${formatMoneyDecimal(usd, 'USD')} per month`;

function PlanTable({
  current,
  proMonthlyPriceUsd,
}: {
  readonly current: 'free' | 'pro';
  readonly proMonthlyPriceUsd: string;
}) {
  const prices = { free: perMonth('0'), pro: perMonth(proMonthlyPriceUsd) };
  return (
    <table className="table table--plan">
      <thead>
        <tr>
          <td />
          {(['free', 'pro'] as const).map((plan) => (
            <th key={plan} scope="col" data-current={plan === current ? 'true' : undefined}>
              {formatPlan(plan)}
              {plan === current ? ' (your plan)' : ''}
              <span className="plan-price" data-plan-price={plan}>
                {prices[plan]}
              </span>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {ROWS.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>{row.value(PLAN_LIMITS.free)}</td>
            <td>{row.value(PLAN_LIMITS.pro)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * This month's proxy requests: against the Free cap (a meter, and when it resets) on Free, as a
 * plain count on Pro, which has no cap.
 */
function MonthUsage({ view }: { readonly view: BillingViewDto }) {
  const { requests, resetsAt } = view.thisMonth;
  const cap = PLAN_LIMITS.free.monthlyRequests;
  const resets = `Resets on ${formatDate(resetsAt)} (UTC).`;
  if (view.plan === 'pro') {
    return (
      <div className="usage-meter" data-month-usage>
        <p>
          <strong>{count.format(requests)}</strong> proxy {plural(requests, 'request', 'requests')}{' '}
          this month. Pro has no monthly cap.
        </p>
      </div>
    );
  }
  const share = requests / cap;
  return (
    <div className="usage-meter" data-month-usage>
      <p>
        <strong>{count.format(requests)}</strong> of {count.format(cap)} proxy requests this month.{' '}
        {resets}
      </p>
      {/* The sentence above says it all; the bar repeats it for the eye. */}
      <span className="usage-meter__bar" aria-hidden="true">
        <span
          className="usage-meter__fill"
          data-level={share >= 1 ? 'full' : share >= 0.9 ? 'high' : 'ok'}
          style={{ width: shareWidth(share) }}
        />
      </span>
    </div>
  );
}

/** "Renews on …", "Pro until …", or nothing while the period end is not known yet. */
function periodLine(view: BillingViewDto): string | undefined {
  if (view.currentPeriodEnd === null) return undefined;
  const date = formatDate(view.currentPeriodEnd);
  if (view.plan === 'pro')
    return view.cancelAtPeriodEnd ? `Pro until ${date}` : `Renews on ${date}`;
  return view.cancelAtPeriodEnd ? `Pro ended on ${date}` : undefined;
}

const STATUS_LABELS: Readonly<Record<BillingViewDto['status'], string>> = {
  none: 'No subscription',
  active: 'Active',
  trialing: 'Trial',
  past_due: 'Payment past due',
  incomplete: 'Payment incomplete',
  incomplete_expired: 'Expired before payment',
  unpaid: 'Unpaid',
  canceled: 'Canceled',
  paused: 'Paused',
};

/** True when the page was opened by Checkout's success URL. */
function returnedFromCheckout(): boolean {
  return new URLSearchParams(location.search).get(CHECKOUT_RETURN_PARAM) === CHECKOUT_SUCCESS_VALUE;
}

/** Drops `?checkout=success`, so a reload does not wait for a payment again. */
function forgetCheckoutReturn(): void {
  const url = new URL(location.href);
  url.searchParams.delete(CHECKOUT_RETURN_PARAM);
  history.replaceState(history.state, '', url);
}

/**
 * Back from Checkout, waits for Stripe's webhook by polling the billing view (each answer goes to
 * `setValue`) and says whether Pro was confirmed in time.
 */
function useCheckoutReturn(setValue: (view: BillingViewDto) => void): CheckoutReturn {
  const [checkoutReturn, setCheckoutReturn] = useState<CheckoutReturn>('none');
  useEffect(() => {
    if (!returnedFromCheckout()) return;
    setCheckoutReturn('processing');
    const stop = new AbortController();
    pollUntil(
      () => api.getBilling(),
      (view) => view.plan === 'pro',
      {
        intervalMs: CHECKOUT_POLL_INTERVAL_MS,
        timeoutMs: CHECKOUT_POLL_TIMEOUT_MS,
        signal: stop.signal,
        onValue: setValue,
      },
    ).then((pro) => {
      if (stop.signal.aborted) return;
      setCheckoutReturn(pro === undefined ? 'timed_out' : 'confirmed');
      if (pro !== undefined) forgetCheckoutReturn();
    });
    return () => stop.abort();
  }, [setValue]);
  return checkoutReturn;
}

/** What Checkout's return and the subscription's state mean for the user right now. */
function PlanNotices(props: { view: BillingViewDto; checkoutReturn: CheckoutReturn }) {
  const { view, checkoutReturn } = props;
  const pro = view.plan === 'pro';
  return (
    <>
      {checkoutReturn === 'processing' && !pro && (
        <Notice kind="info">
          Processing… Stripe is confirming your payment. This page switches to Pro by itself.
        </Notice>
      )}
      {checkoutReturn === 'timed_out' && !pro && (
        <Notice kind="warning">
          Stripe has not confirmed the payment yet. It can take a few minutes; reload this page
          later. You will not be charged twice.
        </Notice>
      )}
      {checkoutReturn === 'confirmed' && <Notice kind="success">Welcome to Pro.</Notice>}
      {view.status === 'past_due' && (
        <Notice kind="warning">
          Your last payment failed. Stripe will retry it; update your payment method under Manage
          billing to keep Pro.
        </Notice>
      )}
    </>
  );
}

/** Opens a Stripe page whose URL the API gives; a failure stays on this page as a message. */
function useStripeRedirect() {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();
  const goTo = (open: () => Promise<{ url: string }>) => {
    setBusy(true);
    setFailure(undefined);
    open().then(
      ({ url }) => location.assign(url),
      (error: unknown) => {
        setFailure(errorMessage(error));
        setBusy(false);
      },
    );
  };
  return { busy, failure, goTo };
}

/** Upgrade to Pro (Stripe Checkout) and Manage billing (Stripe billing portal). */
function PlanActions(props: {
  view: BillingViewDto;
  processing: boolean;
  busy: boolean;
  goTo: (open: () => Promise<{ url: string }>) => void;
}) {
  const { plan, status } = props.view;
  const { busy, goTo } = props;
  return (
    <div className="button-row section-gap">
      {plan === 'free' ? (
        <button
          type="button"
          className="button"
          disabled={busy || props.processing}
          onClick={() => goTo(api.startCheckout)}
        >
          Upgrade to Pro
        </button>
      ) : null}
      {plan === 'pro' || status !== 'none' ? (
        <button
          type="button"
          className={plan === 'pro' ? 'button' : 'button button--secondary'}
          disabled={busy}
          onClick={() => goTo(api.openBillingPortal)}
        >
          Manage billing
        </button>
      ) : null}
    </div>
  );
}

/**
 * Settings > Plan. Free: what each plan includes and Upgrade to Pro (Stripe Checkout). Pro: the
 * subscription's status, the renewal or end date, a warning while a payment is past due, and
 * Manage billing (Stripe billing portal). Back from Checkout, the page waits for Stripe's
 * webhook (polling the billing view) and turns to Pro without a reload.
 */
export default function PlanSettings() {
  const { resource, reload, setValue } = useReadOnMount(() => api.getBilling());
  const checkoutReturn = useCheckoutReturn(setValue);
  const { busy, failure, goTo } = useStripeRedirect();

  if (resource.state === 'loading') return <Loading what="your plan" />;
  if (resource.state === 'error') return <LoadFailed message={resource.message} onRetry={reload} />;

  const view = resource.value;
  const { plan } = view;
  const period = periodLine(view);
  const processing = checkoutReturn === 'processing' && plan !== 'pro';
  return (
    <section className="card" aria-labelledby="plan-heading" data-billing-status={view.status}>
      <div className="card__header">
        <h2 id="plan-heading">Plan</h2>
        <span className="badge" data-plan={plan}>
          {formatPlan(plan)}
        </span>
      </div>
      <PlanNotices view={view} checkoutReturn={checkoutReturn} />
      {failure && <Notice kind="error">{failure}</Notice>}
      <p>
        You are on the <strong>{formatPlan(plan)}</strong> plan.
        {period !== undefined && (
          <>
            {' '}
            <span data-period-end>{period}.</span>
          </>
        )}
      </p>
      {view.status !== 'none' && (
        <p className="card__hint" data-subscription-status={view.status}>
          Subscription: {STATUS_LABELS[view.status]}
        </p>
      )}
      <MonthUsage view={view} />
      <PlanTable current={plan} proMonthlyPriceUsd={view.proMonthlyPriceUsd} />
      <PlanActions view={view} processing={processing} busy={busy} goTo={goTo} />
      <p className="card__hint">
        {plan === 'free'
          ? `Pro is ${perMonth(view.proMonthlyPriceUsd)}, billed through Stripe Checkout. Your usage data stays readable on every plan.`
          : 'Manage billing opens the Stripe billing portal: payment method, cancellation and invoices.'}
      </p>
    </section>
  );
}
