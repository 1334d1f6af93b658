// The local stack as `npm start` runs it (same root, the built dashboard served for non-API
// paths) with fake upstreams, plus a Debian Chromium driven by playwright-core.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type LocalMetrion, startLocalMetrion } from '#local/local-metrion.ts';
import { startFakeAnthropic } from '../../fixtures/fake-anthropic-server.ts';
import { startFakeOpenAi } from '../../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../../fixtures/fake-upstream-scenarios.ts';

const REPO = resolve(import.meta.dirname, '../../..');
export const DASHBOARD_DIST = join(REPO, 'frontend/dist');
export const ARTIFACTS_DIR = join(REPO, 'test-artifacts/e2e');

/** The desktop screen every journey runs on, and the phone width each page is also shot at. */
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

/** Launch flags for Debian's Chromium in a container (stack-notes: browsers). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export interface DashboardStack {
  readonly metrion: LocalMetrion;
  readonly openai: FakeUpstream;
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors, uncaught exceptions and CSP violations seen in any page. */
  readonly browserErrors: string[];
  /** Saves a full-page screenshot as test-artifacts/e2e/<name>.png. */
  screenshot(name: string, page?: Page): Promise<void>;
  /**
   * Shoots the page as it is at 1280x800 (`<name>.png`) and again at phone width
   * (`<name>-phone.png`), then returns to 1280x800; fails when the phone layout scrolls
   * sideways.
   */
  screenshotBothWidths(name: string): Promise<void>;
  close(): Promise<void>;
}

function watchErrors(page: Page, errors: string[]): void {
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    // API answers such as 400 and 401 are part of the journeys; Chromium logs each one.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      errors.push(`console: ${message.text()}`);
    }
  });
}

/** Two animation frames: charts resize to their new width before a screenshot is taken. */
function settleLayout(page: Page): Promise<void> {
  return page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
      ),
  );
}

export async function startDashboardStack(): Promise<DashboardStack> {
  if (!existsSync(join(DASHBOARD_DIST, 'index.html'))) {
    throw new Error(
      `No dashboard build in ${DASHBOARD_DIST}: run \`npm run build:frontend\` first.`,
    );
  }
  const [openai, anthropic] = await Promise.all([startFakeOpenAi(), startFakeAnthropic()]);
  const metrion = await startLocalMetrion({
    staticDir: DASHBOARD_DIST,
    upstreamOrigins: {
      anthropic: anthropic.origin,
      openai: openai.origin,
      gemini: openai.origin,
      mistral: openai.origin,
      grok: openai.origin,
    },
    logWrite: () => {},
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  const context = await browser.newContext({
    viewport: DESKTOP,
    baseURL: metrion.url,
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: metrion.url });
  const browserErrors: string[] = [];
  context.on('page', (page) => watchErrors(page, browserErrors));
  const page = await context.newPage();
  await mkdir(ARTIFACTS_DIR, { recursive: true });

  const screenshot = async (name: string, target = page) => {
    await target.screenshot({ path: join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
  };
  return {
    metrion,
    openai,
    browser,
    context,
    page,
    browserErrors,
    screenshot,
    async screenshotBothWidths(name) {
      await screenshot(name);
      await page.setViewportSize(PHONE);
      try {
        await settleLayout(page);
        const overflowPx = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        if (overflowPx > 0)
          throw new Error(`${name} scrolls sideways by ${overflowPx}px at phone width`);
        await screenshot(`${name}-phone`);
      } finally {
        await page.setViewportSize(DESKTOP);
        await settleLayout(page);
      }
    },
    async close() {
      await browser.close();
      await metrion.close();
      await Promise.all([openai.close(), anthropic.close()]);
    },
  };
}
