import type { RequestTiming } from '../usage/usage-record.ts';

/** The W3C Server-Timing response header: every proxied answer carries Metrion's phases. */
export const SERVER_TIMING_HEADER = 'server-timing';

/** Metric names and descriptions, in the order they are sent (absent phases are left out). */
const METRICS = [
  ['authMs', 'auth', 'auth+limits'],
  ['upstreamHeadersMs', 'upstream', 'upstream headers'],
  ['upstreamBodyMs', 'upstream-body', 'upstream body'],
  ['overheadMs', 'overhead', 'Metrion overhead'],
] as const satisfies readonly (readonly [keyof RequestTiming, string, string])[];

/**
 * The header for `timing`, durations in ms with one decimal, e.g.
 * `auth;dur=2.1;desc="auth+limits", upstream;dur=143.0;desc="upstream headers",
 * overhead;dur=3.4;desc="Metrion overhead"`: the same figures the usage record keeps.
 */
export function serverTimingHeader(timing: RequestTiming): Record<string, string> {
  const metrics = METRICS.flatMap(([field, name, description]) => {
    const ms = timing[field];
    return ms === undefined ? [] : [`${name};dur=${ms.toFixed(1)};desc="${description}"`];
  });
  return { [SERVER_TIMING_HEADER]: metrics.join(', ') };
}
