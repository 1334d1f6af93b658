/**
 * Dashboard pages that messages send the customer to (a test checks that each is a page of the
 * frontend). The provider-key form lives on Integrate; Settings > Providers only lists and
 * deletes keys.
 */
export const DASHBOARD_PAGES = {
  integrate: { path: '/integrate', name: 'Integrate' },
  metrionKey: { path: '/settings/token', name: 'Settings > Metrion Key' },
  plan: { path: '/settings/billing', name: 'Settings > Plan' },
  budgets: { path: '/budgets', name: 'Budgets' },
} as const satisfies Record<string, { readonly path: string; readonly name: string }>;

/** `Integrate (/integrate)`: how a message names a page, so the words and the URL both lead there. */
export function pageReference(page: keyof typeof DASHBOARD_PAGES): string {
  const { name, path } = DASHBOARD_PAGES[page];
  return `${name} (${path})`;
}
