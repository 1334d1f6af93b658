import { PROXY_PATH_PREFIX } from '#core/providers/routes.ts';

/** A response API Gateway sends itself, without invoking a function. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * API Gateway's answer for a path under `/api` that no route serves (CDK sets it as the
 * `MISSING_AUTHENTICATION_TOKEN` gateway response; the local server sends the same). The body is
 * a valid error in both provider envelopes (OpenAI-compatible `{error:{message,type,code}}` and
 * Anthropic `{type:"error",error:{type,message}}`) and in the dashboard's documented
 * `{error:{code,message}}` with the dashboard's `not_found` code, so every client raises its
 * normal typed error.
 */
export const ROUTE_NOT_FOUND_RESPONSE: GatewayResponse = {
  statusCode: 404,
  headers: {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  },
  body: JSON.stringify({
    type: 'error',
    error: {
      type: 'not_found_error',
      code: 'not_found',
      message: `No Metrion route at this path. Set your SDK's base URL to <api>${PROXY_PATH_PREFIX} (Anthropic) or <api>${PROXY_PATH_PREFIX}/<provider>/v1 (OpenAI, Gemini, Mistral, Grok).`,
    },
  }),
};
