import type { AlertRuleType } from '#contracts/alerts-api.ts';
import type { FxDto } from '#contracts/dashboard-api.ts';
import type { LogDetail } from '#contracts/logs-api.ts';
import { scaledDecimal } from '#contracts/money-text.ts';
import type { Currency, Plan } from '#contracts/settings-api.ts';

const MICROS_DECIMALS = 6;

/**
 * Money from integer micro-units (1 USD = 1,000,000 micros) as a localized string: `$1,234.57`,
 * `CHF 0.0042`. The amount is handed to `Intl` as an exact decimal string, never as a float
 * quotient. Amounts below one cent keep up to 4 significant fraction digits so they do not
 * show as zero.
 */
export function formatMoney(
  amountMicros: number | bigint,
  currency: Currency,
  locale?: string,
): string {
  const micros = BigInt(amountMicros);
  const decimal = scaledDecimal(micros, MICROS_DECIMALS);
  const belowOneCent = micros !== 0n && (micros < 0n ? -micros : micros) < 10_000n;
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    maximumSignificantDigits: belowOneCent ? 4 : undefined,
  });
  // Intl formats numeric strings exactly (ES2023 Intl.NumberFormat v3).
  return formatter.format(decimal as Intl.StringNumericLiteral);
}

/** What each currency is called in pickers. */
export const CURRENCY_LABELS: Readonly<Record<Currency, string>> = {
  USD: 'US dollar (USD)',
  EUR: 'Euro (EUR)',
  CHF: 'Swiss franc (CHF)',
};

/** A date for lists: `24 Nov 2026`. */
export function formatDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}

/** A date and time: `24 Nov 2026, 14:03:12`. */
export function formatDateTime(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(
    new Date(iso),
  );
}

/**
 * A request's time on one short line for tables: `Dec 6, 14:03:12` (24-hour clock, seconds kept
 * because requests come seconds apart); the year only when it is not the current one.
 */
export function formatRowTime(iso: string, locale?: string, nowMs = Date.now()): string {
  const at = new Date(iso);
  const thisYear = at.getFullYear() === new Date(nowMs).getFullYear();
  return new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    year: thisYear ? undefined : 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** A plan code for people: `free` -> `Free`. */
export function formatPlan(plan: Plan): string {
  return plan === 'pro' ? 'Pro' : 'Free';
}

/**
 * Money from an exact decimal string (`"12.345678"`, the Dashboard API's amounts) in `currency`.
 * Passed to `Intl` as a string, so no float rounding; amounts below one cent keep 4 significant
 * digits.
 */
export function formatMoneyDecimal(
  amount: string,
  currency: Currency,
  locale?: string,
  /** Exactly this many decimals instead (chart ticks, which share one step). */
  fractionDigits?: number,
): string {
  const magnitude = amount.replace(/^-/, '');
  const belowOneCent = /^0(\.0[0-9]*)?$/.test(magnitude) && /[1-9]/.test(magnitude);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
    maximumSignificantDigits: fractionDigits === undefined && belowOneCent ? 4 : undefined,
  });
  return formatter.format(amount as Intl.StringNumericLiteral);
}

/** A float as a plain decimal string (no exponent, no float noise past 12 places). */
function plainDecimal(value: number): string {
  const fixed = value.toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
  return fixed === '-0' ? '0' : fixed;
}

/**
 * A money axis tick (`€0.000025`, `CHF 1.50`, `$1,000`): every tick of an axis gets the decimals
 * its `step` needs, at least the currency's 2 below 1, none from 1 up.
 */
export function formatMoneyTick(
  value: number,
  step: number,
  currency: Currency,
  locale?: string,
): string {
  const stepDecimals = plainDecimal(step).split('.')[1]?.length ?? 0;
  const fractionDigits = step >= 1 ? 0 : Math.max(2, stepDecimals);
  return formatMoneyDecimal(plainDecimal(value), currency, locale, fractionDigits);
}

/** Decimals a rate is shown with: enough to check a conversion, not eight digits of noise. */
const RATE_DECIMALS = 4;

/**
 * The rate that converted USD costs: `1 USD = 0.8678 EUR (ECB, 2026-11-20)`. The API's rate is
 * an exact decimal string; `Intl` rounds it as a string, so no float creeps in.
 */
export function formatFxRate(fx: FxDto, locale = 'en-US'): string {
  const source = fx.source === 'ecb' ? 'ECB' : 'fallback rate';
  const rate = new Intl.NumberFormat(locale, {
    minimumFractionDigits: RATE_DECIMALS,
    maximumFractionDigits: RATE_DECIMALS,
  }).format(fx.rate as Intl.StringNumericLiteral);
  return `1 USD = ${rate} ${fx.currency} (${source}, ${fx.rateDate})`;
}

/** A change badge: `+12%`, `−3%`, `0%`. */
export function formatChange(changePct: number): string {
  const rounded = Math.round(changePct);
  if (rounded === 0) return '0%';
  return `${rounded > 0 ? '+' : '−'}${Math.abs(rounded).toLocaleString('en-US')}%`;
}

/** Whether a change badge reads as up, down or flat. */
export function changeDirection(changePct: number): 'up' | 'down' | 'flat' {
  if (Math.round(changePct) === 0) return 'flat';
  return changePct > 0 ? 'up' : 'down';
}

/** The noun for a count: `plural(1, 'request', 'requests')` is `request`. */
export function plural(count: number, one: string, other: string): string {
  return count === 1 ? one : other;
}

/** A count: `12,345`. */
export function formatCount(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A count as a chart tick (charts pass the step second, which must not become the locale). */
export function formatCountTick(value: number): string {
  return formatCount(value);
}

/** A 0..1 share or rate as a percentage: `12.5%`. */
export function formatShare(value: number, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
    value,
  );
}

/**
 * The Overview's line on estimated requests (dropped streams Metrion counted itself), or null
 * when there are none: `3 requests (1.5%) have estimated tokens: …`.
 */
export function formatEstimatedNote(
  estimated: { readonly count: number; readonly share: number },
  locale?: string,
): string | null {
  if (estimated.count === 0) return null;
  const requests = plural(estimated.count, 'request', 'requests');
  const have = plural(estimated.count, 'has', 'have');
  return `${formatCount(estimated.count, locale)} ${requests} (${formatShare(estimated.share, locale)}) ${have} estimated tokens: the client left the stream before the provider reported usage.`;
}

/** A share as a CSS width: `42.5%`. */
export function shareWidth(value: number): string {
  return `${Math.max(0, Math.min(1, value)) * 100}%`;
}

/** A part of the largest value as a CSS width (bar charts). */
export function barWidth(value: number, largest: number): string {
  return shareWidth(largest > 0 ? value / largest : 0);
}

/** Milliseconds: `840 ms`, `1.25 s`; an em dash for no value. */
export function formatLatency(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toLocaleString('en-US', { maximumFractionDigits: 2 })} s`;
}

/** Milliseconds as `server-timing` carries them: one decimal, `3.4 ms`. */
const tenthsMs = (ms: number): string => `${ms.toFixed(1)} ms`;

/**
 * A request's phase timing, the figures of its `server-timing` header, one labelled row each:
 * Metrion's overhead first, then the phases reached (ms, one decimal); none for records from
 * before timing was kept.
 */
export function timingRows(timing: LogDetail['timing']): [label: string, value: string][] {
  if (timing === null) return [];
  const phases = [
    ['Auth and limits', timing.authMs],
    ['Upstream headers', timing.upstreamHeadersMs],
    ['Upstream body', timing.upstreamBodyMs],
  ] as const;
  return [
    ['Metrion overhead', tenthsMs(timing.overheadMs)],
    ...phases.flatMap(([label, ms]): [string, string][] =>
      ms === null ? [] : [[label, tenthsMs(ms)]],
    ),
  ];
}

/** A rollup bucket for sentences: `Dec 6, 14:00–15:00 UTC` for hours, `Dec 6 (UTC)` for days. */
export function formatBucketSpan(iso: string, bucket: 'hour' | 'day', locale?: string): string {
  const start = new Date(iso);
  const day = new Intl.DateTimeFormat(locale, {
    month: 'short',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(start);
  if (bucket === 'day') return `${day} (UTC)`;
  const time = (date: Date) =>
    new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone: 'UTC',
    }).format(date);
  return `${day}, ${time(start)}–${time(new Date(start.getTime() + 3_600_000))} UTC`;
}

/** A status code's class for colouring: 2xx green, 4xx orange, 5xx red. */
export function statusClass(status: number): 'ok' | 'client-error' | 'server-error' | 'other' {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'client-error';
  if (status >= 500) return 'server-error';
  return 'other';
}

/** The currency's symbol as amounts show it: `$`, `€`, `CHF`. */
export function currencySymbol(currency: Currency, locale?: string): string {
  const parts = new Intl.NumberFormat(locale, { style: 'currency', currency }).formatToParts(0);
  return parts.find((part) => part.type === 'currency')?.value ?? currency;
}

/** An alert rule's threshold in its unit: `$50.00`, `5%`, `12 errors`, `2,000 ms`, `1,000 requests`, `3× median`. */
export function formatAlertThreshold(
  rule: {
    readonly type: AlertRuleType;
    readonly threshold: number;
    readonly unit?: 'percent' | 'count' | undefined;
    readonly currency?: Currency | undefined;
  },
  locale?: string,
): string {
  const amount = formatCount(rule.threshold, locale);
  switch (rule.type) {
    case 'budget':
    case 'forecast':
      return formatMoneyDecimal(plainDecimal(rule.threshold), rule.currency ?? 'USD', locale);
    case 'spike':
      return `${rule.threshold}× median`;
    case 'error_rate':
      return rule.unit === 'count'
        ? `${amount} ${plural(rule.threshold, 'error', 'errors')}`
        : `${amount}%`;
    case 'latency_p95':
      return `${amount} ms`;
    case 'request_volume':
      return `${amount} ${plural(rule.threshold, 'request', 'requests')}`;
  }
}

/**
 * An alert rule's figure now, written to be read before its threshold (`$12.35 / $50.00`,
 * `7.5% / 10%`, `812 / 2,000 ms`, `3 / 5 errors`): money and percent with their sign, counts
 * and ms bare (the threshold names the unit); an em dash when nothing could be measured.
 */
export function formatAlertValue(
  rule: {
    readonly type: AlertRuleType;
    readonly unit?: 'percent' | 'count' | undefined;
    readonly metric?: 'cost' | 'requests' | 'errors' | undefined;
    readonly currency?: Currency | undefined;
    readonly current: { readonly value: string | null };
  },
  locale?: string,
): string {
  const { value } = rule.current;
  if (value === null) return '—';
  if (rule.type === 'budget' || rule.type === 'forecast' || rule.metric === 'cost') {
    return formatMoneyDecimal(value, rule.currency ?? 'USD', locale);
  }
  const amount = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(
    value as Intl.StringNumericLiteral,
  );
  return rule.type === 'error_rate' && rule.unit !== 'count' ? `${amount}%` : amount;
}

/** A budget's period: `this calendar month (UTC)`, `since creation`, `since 1 Nov 2026`. */
export function formatBudgetPeriod(
  period:
    | { readonly kind: 'month' }
    | { readonly kind: 'since_creation' }
    | { readonly kind: 'since'; readonly since: string },
  locale?: string,
): string {
  if (period.kind === 'month') return 'this calendar month (UTC)';
  if (period.kind === 'since_creation') return 'since the rule was created';
  return `since ${new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(period.since))}`;
}

/** A wait in seconds for people: `45 s`, `5 min`, `11 h 59 min`. */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.ceil(seconds))} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
