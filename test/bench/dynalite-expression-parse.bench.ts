// `node test/bench/dynalite-expression-parse.bench.ts`: dynalite's condition parser with and
// without the parse cache local mode's dynalite worker puts in front of it
// (functions/local/dynalite-expression-cache.ts), side by side in one run. The expression has the
// shape of the proxy's admission condition for a plan whose minute and month limits differ per
// plan (dynamo-proxy-admission.ts), each request with values of its own.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  type ConditionParser,
  cacheConditionParses,
  type ParseContext,
} from '#local/dynalite-expression-cache.ts';
import { summarize } from './support/percentiles.ts';

const require = createRequire(import.meta.url);
const dynaliteDir = dirname(require.resolve('dynalite'));
const dynaliteParser = require(join(dynaliteDir, 'db', 'conditionParser.js')) as ConditionParser;
const { compare } = require(join(dynaliteDir, 'db', 'index.js')) as { compare: unknown };

const ROUNDS = 5;
const PER_ROUND = 40;

function room(count: string, limit: string): string {
  return `(attribute_not_exists(${count}) OR ${count} < ${limit})`;
}

function perPlan(count: string, proLimit: string, freeLimit: string): string {
  return `((proUntilMs > :now AND ${room(count, proLimit)}) OR (proUntilMs <= :now AND ${room(count, freeLimit)}))`;
}

const EXPRESSION = [
  'attribute_exists(viewVersion)',
  perPlan('#minute', ':proMinute', ':freeMinute'),
  perPlan('#month', ':proMonth', ':freeMonth'),
].join(' AND ');
const NAMES = { '#minute': 'count#m1', '#month': 'count#mo1' };

function contextFor(request: number): ParseContext {
  const values = {
    ':now': { N: String(1_700_000_000_000 + request) },
    ':proMinute': { N: '1000' },
    ':freeMinute': { N: String(60 + (request % 3)) },
    ':proMonth': { N: '1000000' },
    ':freeMonth': { N: '10000' },
  };
  const used = (keys: object) => Object.fromEntries(Object.keys(keys).map((key) => [key, true]));
  return {
    attrNames: NAMES,
    attrVals: values,
    unusedAttrNames: used(NAMES),
    unusedAttrVals: used(values),
    isReserved: () => false,
    compare,
  };
}

/** Parse times of `count` requests, each with its own values. */
function parseTimes(parser: ConditionParser, count: number, firstRequest: number): number[] {
  const times: number[] = [];
  for (let request = firstRequest; request < firstRequest + count; request += 1) {
    const context = contextFor(request);
    const startedAt = performance.now();
    const result = parser.parse(EXPRESSION, { context });
    times.push(performance.now() - startedAt);
    // dynalite answers a rejected expression with its message: that would measure nothing.
    if (typeof result === 'string') throw new Error(`dynalite rejects the expression: ${result}`);
  }
  return times;
}

function main(): void {
  const uncached: ConditionParser = { parse: dynaliteParser.parse.bind(dynaliteParser) };
  const cached: ConditionParser = { parse: dynaliteParser.parse.bind(dynaliteParser) };
  cacheConditionParses(cached);
  // The cache's one parse (and the JIT's warm-up) before measuring.
  parseTimes(uncached, 5, 0);
  parseTimes(cached, 5, 0);
  const times = { uncached: [] as number[], cached: [] as number[] };
  for (let round = 0; round < ROUNDS; round += 1) {
    const first = (round + 1) * PER_ROUND;
    const order =
      round % 2 === 0 ? (['uncached', 'cached'] as const) : (['cached', 'uncached'] as const);
    for (const name of order) {
      times[name].push(...parseTimes(name === 'cached' ? cached : uncached, PER_ROUND, first));
    }
  }
  const uncachedP50 = summarize(times.uncached).p50;
  const cachedP50 = summarize(times.cached).p50;
  console.log(`dynalite condition parse, admission-shaped expression (${EXPRESSION.length} chars)`);
  console.log(`  uncached p50 ${uncachedP50.toFixed(3)} ms, cached p50 ${cachedP50.toFixed(3)} ms`);
  console.log(`  uncached / cached = ${(uncachedP50 / cachedP50).toFixed(0)}x`);
}

main();
