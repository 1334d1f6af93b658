import type { BudgetPeriod } from './budget.ts';

const DAY_MS = 86_400_000;

/**
 * The period `nowMs` falls in, named by its UTC start: `2026-12-05` for a day, `2026-12` for a
 * month. A new period is a new name, so nothing is ever reset: spending starts from zero.
 */
export function periodKey(period: BudgetPeriod, nowMs: number): string {
  const iso = new Date(nowMs).toISOString();
  return period === 'day' ? iso.slice(0, 10) : iso.slice(0, 7);
}

/** The first instant of the period `key` names. @throws RangeError for a malformed key */
export function periodStartMs(key: string): number {
  const match = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(key);
  if (match === null) throw new RangeError(`Not a budget period: ${key.slice(0, 20)}`);
  const [, year, month, day] = match;
  return Date.UTC(Number(year), Number(month) - 1, day === undefined ? 1 : Number(day));
}

/** When the period `key` names ends and the next starts (00:00 UTC): the budget's reset. */
export function periodEndMs(key: string): number {
  const startMs = periodStartMs(key);
  if (key.length === 10) return startMs + DAY_MS;
  const start = new Date(startMs);
  return Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1);
}

/** The period before the one `nowMs` falls in (a request admitted there may still settle). */
export function previousPeriodKey(period: BudgetPeriod, nowMs: number): string {
  const startMs = periodStartMs(periodKey(period, nowMs));
  return periodKey(period, startMs - 1);
}

/** `2027-01-01 00:00 UTC` */
export function utcMinute(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
