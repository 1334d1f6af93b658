import type { DisplayMoney, FxUsed } from '../currency/display-money.ts';
import { exactUsd } from '../currency/money-text.ts';
import { type RequestTiming, type UsageRecord, usageKindOf } from '../usage/usage-record.ts';
import type { ResolvedWindow } from './log-query.ts';

/** One row of the Logs table: the shape of the Logs API's `logRowSchema`. */
export interface LogRowView {
  readonly requestId: string;
  readonly at: string;
  readonly status: number;
  readonly provider: UsageRecord['provider'];
  readonly model: string;
  readonly requester: string | null;
  /** The request's tags, key to value; empty without any. */
  readonly tags: Readonly<Record<string, string>>;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheReadTokens: number;
  readonly cacheWriteTokens: number;
  /** The four kinds above added up. */
  readonly totalTokens: number;
  /** Exact USD ({@link exactUsd}); null when unpriced. */
  readonly costUsd: string | null;
  /** The same cost in the account's currency; null when unpriced. */
  readonly cost: string | null;
  readonly latencyMs: number;
  readonly cached: boolean;
  readonly streamed: boolean;
  readonly mode: UsageRecord['mode'];
  /** Tokens counted by Metrion (the client left the stream before usage arrived). */
  readonly estimated: boolean;
  readonly kind: NonNullable<UsageRecord['kind']>;
  /** The name of the budget that refused the request (402); null when none did. */
  readonly blockedBy: string | null;
}

/** One request in the detail view: the shape of `logDetailSchema`. */
export interface LogDetailView extends LogRowView {
  readonly errorSource: NonNullable<UsageRecord['errorSource']> | null;
  readonly errorMessage: string | null;
  /** The writes by cache lifetime; null when the answer did not split them (all default). */
  readonly cacheWrite5mTokens: number | null;
  readonly cacheWrite1hTokens: number | null;
  readonly timeToFirstTokenMs: number | null;
  readonly priceVersion: string;
  /** The service tier the answer named; null when it named none. */
  readonly serviceTier: string | null;
  /** Priced at the standard rate: the price data has no price for its tier. */
  readonly tierUnpriced: boolean;
  readonly fx: FxUsed;
  /** The answer's `server-timing` figures; null on records from before they were kept. */
  readonly timing: TimingView | null;
}

/** {@link RequestTiming} with every phase present, null when not reached. */
export interface TimingView {
  readonly overheadMs: number;
  readonly authMs: number | null;
  readonly upstreamHeadersMs: number | null;
  readonly upstreamBodyMs: number | null;
}

/** One page of the Logs table: the shape of `logsPageSchema`. */
export interface LogsPageView {
  readonly rows: LogRowView[];
  /** Opaque; null on the last page. */
  readonly nextCursor: string | null;
  /** Every record matching the window and filters, not just this page. */
  readonly totalCount: number;
  /** The window the page covers: `from` inclusive, `to` exclusive. */
  readonly range: {
    readonly range: ResolvedWindow['range'];
    readonly from: string;
    readonly to: string;
  };
  /** The rate that converted every row's `cost`. */
  readonly fx: FxUsed;
}

/** The record's cost in `money`'s currency (6 decimals); null when unpriced. */
export function convertedCost(record: UsageRecord, money: DisplayMoney): string | null {
  return record.costPicoUsd === null ? null : money.convert(record.costPicoUsd);
}

/** A usage record as a Logs table row, its cost also in `money`'s currency. */
export function toLogRow(record: UsageRecord, money: DisplayMoney): LogRowView {
  return {
    requestId: record.requestId,
    at: record.at,
    status: record.status,
    provider: record.provider,
    model: record.model,
    requester: record.requester ?? null,
    tags: { ...record.tags },
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cacheReadTokens: record.cacheReadTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    totalTokens: record.totalTokens,
    costUsd: exactUsd(record.costPicoUsd),
    cost: convertedCost(record, money),
    latencyMs: record.latencyMs,
    cached: record.cached,
    streamed: record.streamed,
    mode: record.mode,
    estimated: record.estimated ?? false,
    kind: usageKindOf(record.kind),
    blockedBy: record.blockedBy?.budgetName ?? null,
  };
}

/**
 * A usage record for the detail view: the row plus errors, TTFT, prices, fx and the phase
 * timing.
 */
export function toLogDetail(record: UsageRecord, money: DisplayMoney): LogDetailView {
  return {
    ...toLogRow(record, money),
    errorSource: record.errorSource ?? null,
    errorMessage: record.errorMessage ?? null,
    cacheWrite5mTokens: record.cacheWrite5mTokens ?? null,
    cacheWrite1hTokens: record.cacheWrite1hTokens ?? null,
    timeToFirstTokenMs: record.timeToFirstTokenMs ?? null,
    priceVersion: record.priceVersion,
    serviceTier: record.serviceTier ?? null,
    tierUnpriced: record.tierUnpriced === true,
    fx: money.fx,
    timing: record.timing === undefined ? null : timingView(record.timing),
  };
}

function timingView(timing: RequestTiming): TimingView {
  return {
    overheadMs: timing.overheadMs,
    authMs: timing.authMs ?? null,
    upstreamHeadersMs: timing.upstreamHeadersMs ?? null,
    upstreamBodyMs: timing.upstreamBodyMs ?? null,
  };
}

/** A page of records as the Logs table shows it, every cost converted with `money`. */
export function toLogsPage(page: {
  readonly records: readonly UsageRecord[];
  readonly nextCursor: string | null;
  readonly totalCount: number;
  readonly window: ResolvedWindow;
  readonly money: DisplayMoney;
}): LogsPageView {
  return {
    rows: page.records.map((record) => toLogRow(record, page.money)),
    nextCursor: page.nextCursor,
    totalCount: page.totalCount,
    range: { range: page.window.range, from: page.window.fromIso, to: page.window.toIso },
    fx: page.money.fx,
  };
}
