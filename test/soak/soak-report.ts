// The soak's figures: what the clients saw, what the providers saw, what Metrion recorded.
import type { UsageRecord } from '#core/usage/usage-record.ts';
import type { UsageTotals } from '../fixtures/usage-totals.ts';
import type { SoakAnswer } from './soak-requests.ts';

/** One request as the soak sent it and as it ended. */
export interface SentRequest {
  readonly id: string;
  readonly kind: string;
  readonly expected: number;
  readonly clientMistake: boolean;
  readonly answer: SoakAnswer;
  /** The request was in flight when the process was killed. */
  readonly cutByKill: boolean;
  /** A kill came after the request was sent (in flight, or before its record was written). */
  readonly killedAfterSent: boolean;
}

/**
 * A diagnosis of a request the provider saw with no record (any such request misses the target):
 * its trace write was failed on purpose and the process was killed before its own record; the
 * process was killed after the request was sent, with no trace stored (a trace that did not land
 * before the upstream call); or nothing explains it (a stored trace without a record, or no kill
 * after the request).
 */
export type LostReason = 'trace-failed-then-killed' | 'killed-before-trace-stored' | 'unexplained';

export interface SoakFigures {
  readonly sent: number;
  readonly answeredByStatus: Readonly<Record<string, number>>;
  readonly cutByKills: number;
  /** Connection failures with no kill under way (should be 0). */
  readonly cutOtherwise: number;
  readonly providerCalls: number;
  readonly records: number;
  readonly interruptedRecords: number;
  /**
   * Interrupted records of requests the provider never saw, by kind: killed after the trace
   * landed and before the provider received the call, or refused and killed before the trace's
   * delete landed (the windows docs/decisions/request-traces.md states). Printed, not a target:
   * an over-count of what the provider may bill, never a loss.
   */
  readonly interruptedUnsent: readonly string[];
  readonly interruptedUnsentByKind: Readonly<Record<string, number>>;
  readonly estimatedRecords: number;
  /** Requests the provider saw with no record. */
  readonly lost: readonly string[];
  /** Of `lost`: why, when it can be told (see `LostReason`). */
  readonly lostByReason: Readonly<Record<LostReason, number>>;
  /** Each lost request's reason, and whether its trace was stored. */
  readonly lostWhy: ReadonlyMap<string, { reason: LostReason; traced: boolean }>;
  /** Requests with more records than calls to Metrion (one each). */
  readonly duplicated: readonly string[];
  readonly clientMistakes: number;
  readonly clientMistake5xx: number;
  /** Per kind: answered, with the documented status, and the other statuses seen. */
  readonly byKind: Readonly<
    Record<string, { answered: number; documented: number; expected: number; others: string[] }>
  >;
  readonly rollups: UsageTotals;
  readonly raw: UsageTotals;
  readonly rollupsSealed: boolean;
}

export function soakFigures(input: {
  readonly sent: readonly SentRequest[];
  /** Request ids in the bodies the fake providers received, one entry per call. */
  readonly providerCalls: readonly string[];
  readonly records: readonly UsageRecord[];
  readonly rollups: UsageTotals & { readonly sealed: boolean };
  readonly raw: UsageTotals;
  /** Request ids that have a trace in the store. */
  readonly traced: ReadonlySet<string>;
}): SoakFigures {
  const { sent, providerCalls, records } = input;
  const byId = new Map(sent.map((request) => [request.id, request]));
  const recordsById = countBy(records.map((record) => record.requester ?? '-'));
  const callsById = countBy(providerCalls);
  const answeredByStatus = Object.fromEntries(
    countBy(
      sent.filter((request) => request.answer !== 'cut').map((request) => String(request.answer)),
    ),
  );
  const byKind: Record<
    string,
    { answered: number; documented: number; expected: number; others: string[] }
  > = {};
  for (const request of sent) {
    const entry = byKind[request.kind] ?? {
      answered: 0,
      documented: 0,
      expected: request.expected,
      others: [],
    };
    byKind[request.kind] = entry;
    if (request.answer === 'cut') continue;
    entry.answered += 1;
    if (request.answer === request.expected) entry.documented += 1;
    else if (!entry.others.includes(String(request.answer)))
      entry.others.push(String(request.answer));
  }
  const lost = [...callsById.keys()].filter((id) => (recordsById.get(id) ?? 0) < 1);
  const lostByReason: Record<LostReason, number> = {
    'trace-failed-then-killed': 0,
    'killed-before-trace-stored': 0,
    unexplained: 0,
  };
  const lostWhy = new Map<string, { reason: LostReason; traced: boolean }>();
  for (const id of lost) {
    const traced = input.traced.has(id);
    const reason = lostReason(byId.get(id), traced);
    lostByReason[reason] += 1;
    lostWhy.set(id, { reason, traced });
  }
  const interruptedUnsent = records
    .filter((record) => record.interrupted === true && !callsById.has(record.requester ?? '-'))
    .map((record) => record.requester ?? '-');
  const mistakes = sent.filter((request) => request.clientMistake && request.answer !== 'cut');
  const { sealed, ...rollups } = input.rollups;
  return {
    sent: sent.length,
    answeredByStatus,
    cutByKills: sent.filter((request) => request.answer === 'cut' && request.cutByKill).length,
    cutOtherwise: sent.filter((request) => request.answer === 'cut' && !request.cutByKill).length,
    providerCalls: providerCalls.length,
    records: records.length,
    interruptedRecords: records.filter((record) => record.interrupted === true).length,
    interruptedUnsent,
    interruptedUnsentByKind: Object.fromEntries(
      countBy(interruptedUnsent.map((id) => byId.get(id)?.kind ?? 'unknown')),
    ),
    estimatedRecords: records.filter((record) => record.estimated === true).length,
    lost,
    lostByReason,
    lostWhy,
    // Each request went to Metrion once (no SDK retries): more than one record is a double count.
    duplicated: [...recordsById.entries()].filter(([, count]) => count > 1).map(([id]) => id),
    clientMistakes: mistakes.length,
    clientMistake5xx: mistakes.filter((request) => Number(request.answer) >= 500).length,
    byKind,
    rollups,
    raw: input.raw,
    rollupsSealed: sealed,
  };
}

function lostReason(request: SentRequest | undefined, traced: boolean): LostReason {
  if (request === undefined || traced || !request.killedAfterSent) return 'unexplained';
  return request.kind === 'trace-throttled'
    ? 'trace-failed-then-killed'
    : 'killed-before-trace-stored';
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Whether the targets are met: nothing lost (whatever its `LostReason`), nothing doubled, no 5xx
 * for client mistakes, every answer as documented, sealed rollups equal to the raw records.
 */
export function targetsMet(figures: SoakFigures): boolean {
  return (
    figures.lost.length === 0 &&
    figures.duplicated.length === 0 &&
    figures.clientMistake5xx === 0 &&
    figures.cutOtherwise === 0 &&
    figures.rollupsSealed &&
    sameTotals(figures.rollups, figures.raw) &&
    Object.values(figures.byKind).every((kind) => kind.documented === kind.answered)
  );
}

function sameTotals(a: UsageTotals, b: UsageTotals): boolean {
  return (Object.keys(a) as (keyof UsageTotals)[]).every((key) => a[key] === b[key]);
}

/** The report printed at the end of `npm run soak`. */
export function formatFigures(
  figures: SoakFigures,
  run: { seconds: number; kills: number },
): string {
  const statuses = Object.entries(figures.answeredByStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([status, count]) => `${status}: ${count}`)
    .join(', ');
  const kinds = Object.entries(figures.byKind).map(
    ([name, kind]) =>
      `  ${name.padEnd(22)} ${String(kind.answered).padStart(6)} answered, ${String(kind.documented).padStart(6)} with ${kind.expected}${kind.others.length > 0 ? `  OTHER: ${kind.others.join(', ')}` : ''}`,
  );
  const totals = (label: string, t: UsageTotals) =>
    `  ${label.padEnd(8)} requests ${t.requests}, errors ${t.errors}, input ${t.inputTokens}, output ${t.outputTokens}, cache read ${t.cacheReadTokens}, cache write ${t.cacheWriteTokens}, latency sum ${t.latencyMsSum} ms, estimated ${t.estimated}, cost ${t.costPicoUsd} pUSD`;
  const mark = (ok: boolean) => (ok ? 'MET' : 'MISSED');
  return [
    `Soak: ${run.seconds.toFixed(0)} s, ${run.kills} SIGKILL-and-restart cycles`,
    `Requests sent:                 ${figures.sent}`,
    `Answered by status:            ${statuses}`,
    `Cut by the kills (no answer):  ${figures.cutByKills}`,
    `Cut otherwise:                 ${figures.cutOtherwise}`,
    `Provider calls:                ${figures.providerCalls}`,
    `Records:                       ${figures.records} (interrupted ${figures.interruptedRecords}, of which the provider never saw ${figures.interruptedUnsent.length}; estimated ${figures.estimatedRecords})`,
    ...(figures.interruptedUnsent.length > 0
      ? [
          `  never seen, by kind:         ${Object.entries(figures.interruptedUnsentByKind)
            .map(([kind, count]) => `${kind}: ${count}`)
            .join(', ')}`,
        ]
      : []),
    `Lost:                          ${figures.lost.length}${
      figures.lost.length > 0
        ? ` (${Object.entries(figures.lostByReason)
            .map(([reason, count]) => `${reason}: ${count}`)
            .join(', ')})`
        : ''
    }`,
    `Duplicated (after sealing):    ${figures.duplicated.length}${figures.duplicated.length > 0 ? ` (${figures.duplicated.slice(0, 10).join(', ')})` : ''}`,
    `5xx for client mistakes:       ${figures.clientMistake5xx} of ${figures.clientMistakes}`,
    'Every kind and its documented status:',
    ...kinds,
    `Rollups after the seal vs raw records (${figures.rollupsSealed ? 'all hours sealed' : 'NOT all sealed'}):`,
    totals('rollups', figures.rollups),
    totals('raw', figures.raw),
    '',
    `Targets: 0 lost ${mark(figures.lost.length === 0)}, 0 duplicated ${mark(figures.duplicated.length === 0)}, 0 5xx for client mistakes ${mark(figures.clientMistake5xx === 0)}, rollups = raw ${mark(figures.rollupsSealed && sameTotals(figures.rollups, figures.raw))}, documented statuses ${mark(Object.values(figures.byKind).every((kind) => kind.documented === kind.answered))}`,
  ].join('\n');
}
