/**
 * The provider catalogue the dashboard shows (display names, wire formats): the core's one
 * registry (`PROVIDERS`), re-exported so the frontend reaches it through `#contracts`.
 */
export {
  isProviderId,
  PROVIDER_IDS,
  PROVIDERS,
  type ProviderId,
} from '#core/providers/provider-registry.ts';
/**
 * The SDK base-URL rule (`<proxy root>` for Anthropic, `<proxy root>/<provider>/v1` otherwise),
 * the same function local mode prints and tests use.
 */
export { aiSdkBaseUrl, sdkBaseUrl } from '#core/providers/routes.ts';
