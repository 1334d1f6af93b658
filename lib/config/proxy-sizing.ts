/**
 * Memory of the proxy Lambda in MB. Chosen in docs/cost.md from measurements (`npm run cost`
 * prints the arithmetic): the proxy waits on the provider for almost all of its billed time, so
 * GB-seconds scale with memory while the proxy's own CPU per request stays small.
 */
export const PROXY_MEMORY_MB = 512;
