import type { RecentErrorDto } from '#contracts/dashboard-api.ts';

type ErrorSource = NonNullable<RecentErrorDto['errorSource']>;

/**
 * Who answered a request with an error, as the Errors tab and the Logs detail name it. Shown on
 * its own, never glued to the message, which may name Metrion itself.
 */
export const ERROR_SOURCE_LABELS: Readonly<Record<ErrorSource, string>> = {
  provider: 'Provider',
  metrion: 'Metrion',
};
