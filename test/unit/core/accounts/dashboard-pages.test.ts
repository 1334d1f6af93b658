import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DASHBOARD_PAGES, pageReference } from '#core/accounts/dashboard-pages.ts';

/** The Astro page that serves a route: `/integrate` -> `integrate.astro` or `integrate/index.astro`. */
function pageFiles(route: string): string[] {
  const base = `frontend/src/pages${route}`;
  return [`${base}.astro`, `${base}/index.astro`];
}

describe('DASHBOARD_PAGES', () => {
  it.each(Object.values(DASHBOARD_PAGES))(
    '$name is a page of the dashboard ($path)',
    ({ path }) => {
      expect(pageFiles(path).some((file) => existsSync(file))).toBe(true);
    },
  );

  it('sends customers to add a provider key where the form is: Integrate, not Settings', () => {
    expect(pageReference('integrate')).toBe('Integrate (/integrate)');
  });
});
