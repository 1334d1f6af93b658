import { createHash } from 'node:crypto';
import { accountDisplayMoney, type DisplayMoneyDeps } from '../currency/display-money.ts';
import { NotFoundError } from '../errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { RollupStore } from '../ports/rollup-store.ts';
import type { UsageLogQuery, UsageLogReader } from '../ports/usage-log-reader.ts';
import { LOG_PAGE_SIZE } from '../usage/usage-query.ts';
import { countMatchingLogs } from './log-count.ts';
import { decodeLogCursor, encodeLogCursor } from './log-cursor.ts';
import { type LogQueryInput, resolveWindow, toLogFilter } from './log-query.ts';
import { type LogDetailView, type LogsPageView, toLogDetail, toLogsPage } from './log-views.ts';
import { REQUEST_ID_PATTERN } from './request-id.ts';

export interface LogsServiceDeps extends DisplayMoneyDeps {
  readonly logs: UsageLogReader;
  /** Sealed rollups stand in for their records in totals (see {@link countMatchingLogs}). */
  readonly rollups: Pick<RollupStore, 'query' | 'queryTagValues'>;
  readonly clock: Clock;
  /** Server-side HMAC key for page cursors (derived from a secret; never sent to clients). */
  readonly cursorKey: Uint8Array;
}

/** Logs use cases for the signed-in account (`accountId` always comes from the verified token). */
export interface LogsService {
  /**
   * Newest first, {@link LOG_PAGE_SIZE} per page. Without a cursor: resolves the window now and
   * counts the matches. With one: continues the same query in the window it pinned.
   * Costs are converted into the account's currency with one rate, named in the page's `fx`.
   * @throws InvalidRequestError for a bad range, status or cursor (foreign, forged, other query).
   */
  listLogs(accountId: string, input: LogQueryInput, cursor?: string): Promise<LogsPageView>;
  /**
   * One request for the detail view, its cost in the account's currency.
   * @throws NotFoundError when the account has no live record with this request id.
   */
  getLog(accountId: string, requestId: string): Promise<LogDetailView>;
}

/**
 * Digest of what the caller asked for (not the resolved window): cursors bind to it. The kind
 * and tag filters are appended only when used, so cursors handed out before they existed stay
 * valid.
 */
function queryDigest(input: LogQueryInput): string {
  const kind = input.kind ?? [];
  const tag = input.tag ?? [];
  const canonical = JSON.stringify([
    input.range,
    input.from ?? null,
    input.to ?? null,
    input.model ?? [],
    input.provider ?? [],
    input.requester ?? [],
    input.status ?? [],
    ...(kind.length === 0 && tag.length === 0 ? [] : [kind]),
    ...(tag.length === 0 ? [] : [tag]),
  ]);
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Builds the Logs use cases over a {@link UsageLogReader}. */
export function createLogsService(deps: LogsServiceDeps): LogsService {
  const nowMs = () => deps.clock.nowMs();

  return {
    async listLogs(accountId, input, cursor) {
      const filter = toLogFilter(input);
      const digest = queryDigest(input);
      let window = resolveWindow(input, nowMs());
      let after: string | undefined;
      let knownTotal: number | undefined;
      if (cursor !== undefined) {
        const opened = decodeLogCursor(cursor, deps.cursorKey, { accountId, queryDigest: digest });
        window = { range: window.range, fromIso: opened.fromIso, toIso: opened.toIso };
        after = opened.position;
        knownTotal = opened.totalCount;
      }
      const query: UsageLogQuery = {
        accountId,
        fromIso: window.fromIso,
        toIso: window.toIso,
        filter,
      };
      const [page, totalCount, money] = await Promise.all([
        deps.logs.queryLogs({ ...query, limit: LOG_PAGE_SIZE, after }),
        knownTotal ?? countMatchingLogs(deps, query),
        accountDisplayMoney(deps, accountId),
      ]);
      const nextCursor =
        page.next === undefined
          ? null
          : encodeLogCursor(
              {
                accountId,
                queryDigest: digest,
                fromIso: window.fromIso,
                toIso: window.toIso,
                position: page.next,
                totalCount,
              },
              deps.cursorKey,
            );
      return toLogsPage({ records: page.records, nextCursor, totalCount, window, money });
    },

    async getLog(accountId, requestId) {
      // Request ids are UUIDs (API Gateway's); anything else cannot exist, and a huge one would
      // exceed DynamoDB's key size (a 500 instead of a 404).
      const [record, money] = await Promise.all([
        REQUEST_ID_PATTERN.test(requestId) ? deps.logs.getLog(accountId, requestId) : undefined,
        accountDisplayMoney(deps, accountId),
      ]);
      if (record === undefined) {
        throw new NotFoundError(
          'No request with this id in your logs (it may be older than your plan keeps).',
        );
      }
      return toLogDetail(record, money);
    },
  };
}
