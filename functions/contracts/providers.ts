/**
 * The provider catalogue the dashboard shows (display names, wire formats): the core's one
 * registry (`PROVIDERS`), re-exported so the frontend reaches it through `#contracts`.
 */
export { PROVIDER_IDS, PROVIDERS, type ProviderId } from '#core/providers/provider-registry.ts';
