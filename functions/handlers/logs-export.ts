import middy from '@middy/core';
import { executionModeStreamifyResponse } from '@middy/core/StreamifyResponse';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { LOGS_EXPORT_ROUTE, logsExportQuerySchema } from '#contracts/logs-api.ts';
import { MethodNotAllowedError } from '#core/errors.ts';
import type { LogsExporter } from '#core/logs/logs-export.ts';
import type { Clock } from '#core/ports/clock.ts';
import type { Logger } from '#core/ports/logger.ts';
import type { TokenVerifier } from '#core/ports/token-verifier.ts';
import { bearerToken } from './auth/bearer-token.ts';
import { lowerCaseHeaders } from './http/api-gateway.ts';
import { httpErrorHandler } from './http/error-middleware.ts';
import { parseQuery } from './http/query-string.ts';
import { logsCsvStream } from './logs/logs-csv.ts';

export interface LogsExportHandlerDeps {
  readonly logs: LogsExporter;
  /** Verifies the dashboard's sign-in tokens (Cognito ID tokens). */
  readonly tokens: TokenVerifier;
  readonly clock: Clock;
  readonly logger: Logger;
}

interface StreamedResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string | ReadableStream<Uint8Array>;
}

/**
 * `GET /api/logs/export.csv` (Lambda response streaming): verify the ID token, validate range
 * and filters, then stream the CSV while paging through the store, so an export of any size
 * runs in bounded memory. Failures before the first byte answer `{error:{code,message}}`; a
 * store failure mid-stream cuts the connection (the status is already sent), which the browser
 * reports as a failed download rather than a silently short file.
 */
export function createLogsExportHandler(deps: LogsExportHandlerDeps) {
  const base = async (event: APIGatewayProxyEvent): Promise<StreamedResult> => {
    const requestId = event.requestContext.requestId;
    if (event.httpMethod !== LOGS_EXPORT_ROUTE.method) {
      throw new MethodNotAllowedError(
        `Use ${LOGS_EXPORT_ROUTE.method} for ${LOGS_EXPORT_ROUTE.path}.`,
        [LOGS_EXPORT_ROUTE.method],
      );
    }
    const user = await deps.tokens.verify(bearerToken(lowerCaseHeaders(event)));
    const query = parseQuery(event, logsExportQuerySchema);
    const { window, records, money, tagKeys } = await deps.logs.exportLogs(user.accountId, query);
    deps.logger.info('logs export', { requestId, range: window.range });
    const filename = `metrion-logs-${window.fromIso.slice(0, 10)}-to-${window.toIso.slice(0, 10)}.csv`;
    return {
      statusCode: 200,
      headers: {
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
        'x-metrion-request-id': requestId,
      },
      body: logsCsvStream(records, money, tagKeys),
    };
  };

  return middy(base, { executionMode: executionModeStreamifyResponse }).use(
    httpErrorHandler({ envelope: 'api', logger: deps.logger }),
  );
}
