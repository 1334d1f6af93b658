// The README's Quick start, executed as a new user runs it: `npm start` in a fresh copy of the
// repository (so the default data folder `.metrion` is new; the default ports 8787-8790), with no
// Metrion variable but the documented upstream override pointing at a fake OpenAI (and the FX
// source at a fake that is down, so nothing leaves the machine), then README.md's own blocks as
// written. Only the Metrion Key placeholder of the sample is filled in.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_OPENAI_API_KEY, startFakeOpenAi } from '../fixtures/fake-openai-server.ts';
import type { FakeUpstream } from '../fixtures/fake-upstream-scenarios.ts';
import { commandsOf, readmeBlock, readReadme } from './readme-blocks.ts';
import { copyRepository, type RepositoryCopy } from './repository-copy.ts';
import { RunningCommand, runShell } from './shell.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const README = readReadme(ROOT);
/** What a stack trace line looks like: none may be printed. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

let copy: RepositoryCopy;
let openai: FakeUpstream;
let fxSource: Server;
let env: NodeJS.ProcessEnv;
let npmStart: RunningCommand | undefined;
let metrionKey = '';

/** The shell of a new user: no Metrion, Stripe or npm-run variables. */
function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(METRION_|STRIPE_|npm_|PORT$|FX_RATES_URL$)/.test(name),
  );
  return { ...Object.fromEntries(inherited), ...extra };
}

beforeAll(async () => {
  [copy, openai] = await Promise.all([copyRepository(ROOT), startFakeOpenAi()]);
  fxSource = createServer((_request, response) => response.writeHead(503).end());
  await new Promise<void>((resolve) => fxSource.listen(0, '127.0.0.1', resolve));
  const fxPort = (fxSource.address() as { port: number }).port;
  env = userEnvironment({
    METRION_UPSTREAM_ORIGINS: JSON.stringify({ openai: openai.origin }),
    FX_RATES_URL: `http://127.0.0.1:${fxPort}/eurofxref-daily.xml`,
    OPENAI_API_KEY: FAKE_OPENAI_API_KEY,
  });
});

afterAll(async () => {
  try {
    await npmStart?.stop();
    await openai?.close();
    fxSource?.close();
  } finally {
    await copy?.remove();
  }
});

/** Runs a shell block of the README in the copy; fails with its output unless it exits 0. */
async function runBlock(name: string): Promise<string> {
  const { code, output } = await runShell(readmeBlock(README, name), copy.dir, env);
  expect(code, output).toBe(0);
  return output;
}

describe('README Quick start', () => {
  it('starts with npm start on the default ports and prints where everything is', async () => {
    // `npm install` is this checkout's: node_modules is linked into the copy.
    const commands = commandsOf(readmeBlock(README, 'start'));
    expect(commands).toEqual(['npm install', 'npm start']);

    npmStart = new RunningCommand(commands[1] ?? '', copy.dir, env);
    const output = await npmStart.waitFor(/Proxy base URLs for your SDK:\n(.+\n){5}/, 180_000);

    expect(output).toContain(
      `Metrion is running locally at http://127.0.0.1:8787  (data in ${join(copy.dir, '.metrion')})`,
    );
    expect(output).toContain('Cognito (cognito-local): http://127.0.0.1:8788 ');
    expect(output).toContain('Alert emails (aws-ses-v2-local): http://127.0.0.1:8789 ');
    expect(output).toContain('Stripe (local stand-in): http://127.0.0.1:8790 ');
    expect(output).toContain('  openai     http://127.0.0.1:8787/api/proxy/openai/v1\n');
  });

  it('creates an account and stores the OpenAI key in a second terminal', async () => {
    const output = await runBlock('account');

    metrionKey = /Metrion Key: (sk-metrion-[0-9a-f]{32})/.exec(output)?.[1] ?? '';
    expect(metrionKey, output).not.toBe('');
    expect(output).toContain('Stored the openai key');
  });

  it('answers hello.mjs, the OpenAI SDK sample, through the proxy', async () => {
    // Arrange: the sample with its placeholder replaced, in a folder of its own
    const sample = readmeBlock(README, 'hello.mjs');
    expect(sample.split("'sk-metrion-…'")).toHaveLength(2);
    const folder = join(copy.dir, 'hello');
    await mkdir(folder);
    await writeFile(join(folder, 'hello.mjs'), sample.replace("'sk-metrion-…'", `'${metrionKey}'`));

    // Act
    const { code, output } = await runShell('node hello.mjs', folder, env);

    // Assert: the fake's answer, and the stored key (not the Metrion Key) reached OpenAI
    expect(code, output).toBe(0);
    expect(output).toBe('Hello from the fake upstream.\n');
    expect(openai.requests.at(-1)?.headers.authorization).toBe(`Bearer ${FAKE_OPENAI_API_KEY}`);
  });

  it('shows the request recorded with its exact cost', async () => {
    // The record is written right after the answer; allow it a moment.
    let output = '';
    for (let attempt = 0; attempt < 10 && !output.includes('gpt-4o-mini'); attempt += 1) {
      output = await runBlock('usage');
    }

    // 12 input tokens at $0.15 and 6 output tokens at $0.60 per million (gpt-4o-mini)
    expect(output).toMatch(
      /openai\s+gpt-4o-mini-2024-07-18\s+200\s+12\s+6\s+0\/0\s+\$0\.0000054\s/,
    );
  });

  it('refuses a second npm start on the same data folder in one line', async () => {
    const { code, output } = await runShell('npm start', copy.dir, env);

    expect(code).toBe(1);
    expect(output).toMatch(
      /^Metrion is already running at http:\/\/127\.0\.0\.1:8787 \(pid \d+, data in .+\)\. Stop it first/m,
    );
    expect(output).not.toMatch(STACK_LINE);
  });

  it('passes npm run smoke: sign-up, streamed request, cost, checkout, alert email', async () => {
    const smokeEnv = { ...env, SMOKE_PROVIDER_KEY: FAKE_OPENAI_API_KEY };
    const { code, output } = await runShell(
      'npm run smoke -- --url http://127.0.0.1:8787',
      copy.dir,
      smokeEnv,
    );

    expect(code, output).toBe(0);
    expect(output).toMatch(
      /^ok {4}cost recorded +\$0\.0000054 for 12 input and 6 output tokens of gpt-4o-mini-2024-07-18$/m,
    );
    expect(output).toMatch(/^ok {4}Stripe test checkout +Pro \(active\)/m);
    expect(output).toMatch(
      /^ok {4}alert Test email +".+" to smoke-\d+@example\.com, in http:\/\/127\.0\.0\.1:8789$/m,
    );
  });

  it('printed no stack (offline FX is one warning), and stops on Ctrl+C, freeing the folder', async () => {
    await npmStart?.stop();
    const output = npmStart?.output ?? '';

    expect(output).not.toMatch(STACK_LINE);
    // Nor one inside a JSON log line (an unreachable price source is a warning too).
    expect(output).not.toContain('"stack"');
    expect(output.split('\n').filter((line) => line.includes('fx rates refresh failed'))).toEqual([
      expect.stringContaining('"level":"warn"'),
    ]);
    expect(existsSync(join(copy.dir, '.metrion', 'runtime.json'))).toBe(false);
  });
});
