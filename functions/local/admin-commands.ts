import { DynamoRepriceStore } from '#adapters/dynamodb/dynamo-reprice-store.ts';
import { JsonLogger } from '#adapters/system/json-logger.ts';
import { SystemClock } from '#adapters/system/system-clock.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { EmailTakenError, NotFoundError } from '#core/errors.ts';
import type { Clock } from '#core/ports/clock.ts';
import { repriceUsage } from '#core/pricing/reprice.ts';
import { findUnpricedModels } from '#core/pricing/unpriced-models.ts';
import { isProviderId, PROVIDER_IDS } from '#core/providers/provider-registry.ts';
import { resealUsage } from '#core/rollups/reseal-usage.ts';
import type { UsageRecord } from '#core/usage/usage-record.ts';
import { migrateSealedSecrets } from '#core/vault/migrate-sealed-secrets.ts';
import { buildMigrateSecretsDeps } from '#lambda/migrate-secrets.deps.ts';
import { buildRepriceDeps } from '#lambda/reprice.deps.ts';
import type { LocalData } from './local-data.ts';

/** Operator commands over local data. Each returns the text to print. */
export interface AdminArgs {
  readonly command: string | undefined;
  readonly options: Readonly<Record<string, string | undefined>>;
  /** Reads a secret from stdin when an option is `-` (keeps keys out of shell history). */
  readonly readStdin: () => Promise<string>;
  /** Pins "now" (tests). @default - the system clock */
  readonly clock?: Clock;
}

/** The commands `runAdminCommand` knows (anything else prints {@link ADMIN_USAGE}). */
export const ADMIN_COMMANDS: readonly string[] = [
  'create-account',
  'show-key',
  'set-provider-key',
  'list-provider-keys',
  'usage',
  'unpriced',
  'unpriced-models',
  'reprice',
  'reseal',
  'migrate-secrets',
];

export const ADMIN_USAGE = `Usage: npm run admin -- <command> [options]

  create-account     --email <email> [--name <display name>]
  show-key           <account>
  set-provider-key   <account> --provider <${PROVIDER_IDS.join('|')}> --key <key|->
  list-provider-keys <account>
  usage              <account> [--limit <n>]   (newest first)
  unpriced           <account> [--limit <n>]   (models without a price in recent usage)
  unpriced-models    [--days <n>]              (every account's unpriced models, default 30 days)
  reprice            --since <ISO date or time> | --days <n> [--only unpriced]
                     (re-price records other price data priced; only unpriced ones with --only)
  reseal             --since <ISO date or time> [--until <ISO date or time>] [<account>]
                     (rebuild the rollups of every hour holding records, of every account
                     or of one, when they are wrong and no dirty marker says so)
  migrate-secrets    (re-seal keys stored with a data key each under their account's data key)

  <account> is --account <id> or --email <email>.`;

function required(options: AdminArgs['options'], name: string): string {
  const value = options[name];
  if (!value) throw new AdminUsageError(`--${name} is required.\n\n${ADMIN_USAGE}`);
  return value;
}

/**
 * The id of the account that `--account <id>` or `--email <email>` names.
 * @throws NotFoundError ("Account not found: …") when there is none
 */
async function accountOption(data: LocalData, options: AdminArgs['options']): Promise<string> {
  const { account, email } = options;
  if (account && email) throw new AdminUsageError('Give --account or --email, not both.');
  if (email) {
    const accountId = await data.accountService.findAccountIdByEmail(email);
    if (accountId === undefined) {
      throw new NotFoundError(`Account not found: no account has the email ${email}`);
    }
    return accountId;
  }
  if (!account) {
    throw new AdminUsageError(`--account <id> or --email <email> is required.\n\n${ADMIN_USAGE}`);
  }
  if ((await data.accountService.findAccount(account)) === undefined) {
    throw new NotFoundError(`Account not found: ${account}`);
  }
  return account;
}

export class AdminUsageError extends Error {}

function formatCost(record: UsageRecord): string {
  return record.costPicoUsd === null ? 'unpriced' : `$${exactUsd(record.costPicoUsd)}`;
}

function usageTable(records: readonly UsageRecord[]): string {
  if (records.length === 0) return 'No usage recorded yet.';
  const header = [
    'time',
    'provider',
    'model',
    'status',
    'in',
    'out',
    'cache r/w',
    'cost',
    'latency',
    'mode',
  ];
  const rows = records.map((r) => [
    r.at,
    r.provider,
    r.model,
    String(r.status),
    String(r.inputTokens),
    String(r.outputTokens),
    `${r.cacheReadTokens}/${r.cacheWriteTokens}`,
    formatCost(r),
    `${r.latencyMs} ms`,
    `${r.mode}${r.streamed ? ', stream' : ''}${r.requester ? `, ${r.requester}` : ''}`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  return [header, ...rows]
    .map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '))
    .join('\n');
}

/** Rows under a header, each column as wide as its widest cell. */
function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Distinct provider/model pairs recorded without a price, most requests first. */
export function unpricedTable(records: readonly UsageRecord[]): string {
  const pairs = new Map<string, { provider: string; model: string; count: number; last: string }>();
  for (const record of records) {
    if (record.costPicoUsd !== null || record.cached) continue;
    const key = `${record.provider}\u0000${record.model}`;
    const pair = pairs.get(key);
    if (pair === undefined) {
      pairs.set(key, { provider: record.provider, model: record.model, count: 1, last: record.at });
    } else {
      pair.count += 1;
      if (record.at > pair.last) pair.last = record.at;
    }
  }
  if (pairs.size === 0) return 'Every model in recent usage has a price.';
  const rows = [...pairs.values()].sort(
    (a, b) => b.count - a.count || a.model.localeCompare(b.model),
  );
  return formatTable(
    ['provider', 'model', 'requests', 'last seen'],
    rows.map((row) => [row.provider, row.model, String(row.count), row.last]),
  );
}

const DAY_MS = 86_400_000;

/** An ISO date or time option in ms, or undefined when not given. */
function timeOption(options: AdminArgs['options'], name: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new AdminUsageError(`--${name} must be an ISO date: ${value}`);
  return ms;
}

/** `--days <n>` as a window start, else `fallbackDays` ago; `--since` wins when given. */
function windowStartMs(
  options: AdminArgs['options'],
  nowMs: number,
  fallbackDays?: number,
): number {
  const sinceMs = timeOption(options, 'since');
  if (sinceMs !== undefined) return sinceMs;
  const days = options.days === undefined ? fallbackDays : Number(options.days);
  if (days === undefined)
    throw new AdminUsageError(`--since or --days is required.\n\n${ADMIN_USAGE}`);
  if (!Number.isInteger(days) || days < 1) {
    throw new AdminUsageError(`--days must be a whole number of days: ${options.days}`);
  }
  return nowMs - days * DAY_MS;
}

/** Every account's unpriced models in the window, with first- and last-seen times. */
async function unpricedModelsCommand(data: LocalData, args: AdminArgs): Promise<string> {
  const clock = args.clock ?? new SystemClock();
  const nowMs = clock.nowMs();
  const records = new DynamoRepriceStore({
    client: data.documentClient,
    tableName: data.usageTable,
    clock,
  }).recordsBetween(windowStartMs(args.options, nowMs, 30), nowMs);
  const models = await findUnpricedModels(records);
  if (models.length === 0) return 'Every model in the window has a price.';
  return formatTable(
    ['provider', 'model', 'requests', 'accounts', 'first seen', 'last seen'],
    models.map((m) => [
      m.provider,
      m.model,
      String(m.requests),
      String(m.accounts),
      m.firstSeen,
      m.lastSeen,
    ]),
  );
}

/** The reprice Lambda's graph (reprice and reseal events), quiet below warnings. */
function repriceDeps(data: LocalData, args: AdminArgs) {
  return buildRepriceDeps({
    documentClient: data.documentClient,
    usageTable: data.usageTable,
    pricesTable: data.pricesTable,
    logger: new JsonLogger({ service: 'admin', minimumLevel: 'warn' }),
    clock: args.clock,
  });
}

async function repriceCommand(data: LocalData, args: AdminArgs): Promise<string> {
  const { options } = args;
  if (options.only !== undefined && options.only !== 'unpriced') {
    throw new AdminUsageError(`--only takes one value, unpriced: ${options.only}`);
  }
  const deps = repriceDeps(data, args);
  const sinceMs = windowStartMs(options, deps.clock.nowMs());
  const onlyUnpriced = options.only === 'unpriced';
  const report = await repriceUsage(deps, { sinceMs, onlyUnpriced }).catch(asUsageError);
  const which = onlyUnpriced ? 'unpriced records' : 'records priced by other price data';
  return [
    `Re-priced ${report.repriced} of ${report.considered} ${which} (now ${report.priceVersion}).`,
    `${report.costChanged} costs changed; ${report.sealed.hoursSealed} hours and ${report.sealed.daysRebuilt} days of rollups rebuilt.`,
  ].join('\n');
}

/** The window checks of `repriceUsage` and `resealUsage` throw RangeError: the operator's to fix. */
function asUsageError(error: unknown): never {
  throw error instanceof RangeError ? new AdminUsageError(error.message) : error;
}

async function resealCommand(data: LocalData, args: AdminArgs): Promise<string> {
  const { options } = args;
  const sinceMs = timeOption(options, 'since');
  if (sinceMs === undefined) throw new AdminUsageError(`--since is required.\n\n${ADMIN_USAGE}`);
  const untilMs = timeOption(options, 'until');
  const accountId =
    options.account === undefined && options.email === undefined
      ? undefined
      : await accountOption(data, options);
  const deps = repriceDeps(data, args);
  const report = await resealUsage(deps, { sinceMs, untilMs, accountId }).catch(asUsageError);
  const until = untilMs === undefined ? 'now' : new Date(untilMs).toISOString();
  return [
    `Marked ${report.hoursMarked} hours holding records of ${accountId ?? 'every account'} from ${new Date(sinceMs).toISOString()} to ${until} dirty.`,
    `${report.sealed.hoursSealed} hours and ${report.sealed.daysRebuilt} days of rollups rebuilt; hours not over yet are rebuilt by the seal job.`,
  ].join('\n');
}

async function migrateSecretsCommand(data: LocalData): Promise<string> {
  const result = await migrateSealedSecrets(
    buildMigrateSecretsDeps({
      documentClient: data.documentClient,
      accountsTable: data.accountsTable,
      dataKeyProvider: data.dataKeyProvider,
    }),
  );
  return [
    `Re-sealed ${result.migrated} of ${result.considered} stored secrets under their account's data key; ${result.changedMeanwhile} changed meanwhile (left as saved).`,
    ...result.unreadable.map(
      ({ accountId, secret }) => `Does not open (save it again): ${accountId} ${secret}`,
    ),
  ].join('\n');
}

async function createAccount(data: LocalData, options: AdminArgs['options']): Promise<string> {
  const email = required(options, 'email');
  try {
    const created = await data.accountService.createAccount({
      email,
      displayName: options.name || undefined,
    });
    return `Account ${created.account.accountId} created.\nMetrion Key: ${created.metrionKey}`;
  } catch (error) {
    if (!(error instanceof EmailTakenError)) throw error;
    throw new AdminUsageError(
      `${email} already has an account: ${error.holderAccountId}. Use --email ${email} with the other commands (show-key prints its Metrion Key).`,
    );
  }
}

export async function runAdminCommand(data: LocalData, args: AdminArgs): Promise<string> {
  const { options } = args;
  switch (args.command) {
    case 'create-account':
      return createAccount(data, options);
    case 'show-key':
      return data.accountService.revealMetrionKey(await accountOption(data, options));
    case 'set-provider-key': {
      const accountId = await accountOption(data, options);
      const provider = required(options, 'provider');
      if (!isProviderId(provider))
        throw new AdminUsageError(`--provider must be one of ${PROVIDER_IDS.join(', ')}.`);
      const keyOption = required(options, 'key');
      const key = keyOption === '-' ? (await args.readStdin()).trim() : keyOption;
      const saved = await data.accountService.putProviderKey(accountId, provider, key);
      return `Stored the ${saved.provider} key (${saved.createdAt}).`;
    }
    case 'list-provider-keys': {
      const keys = await data.accountService.listProviderKeys(await accountOption(data, options));
      return keys.length === 0
        ? 'No provider keys stored.'
        : keys.map((k) => `${k.provider}  added ${k.createdAt}`).join('\n');
    }
    case 'usage': {
      const accountId = await accountOption(data, options);
      const limit = Number(options.limit ?? '20');
      return usageTable(await data.usage.listRecent(accountId, limit));
    }
    case 'unpriced': {
      const accountId = await accountOption(data, options);
      const limit = Number(options.limit ?? '1000');
      return unpricedTable(await data.usage.listRecent(accountId, limit));
    }
    case 'unpriced-models':
      return unpricedModelsCommand(data, args);
    case 'reprice':
      return repriceCommand(data, args);
    case 'reseal':
      return resealCommand(data, args);
    case 'migrate-secrets':
      return migrateSecretsCommand(data);
    default:
      throw new AdminUsageError(ADMIN_USAGE);
  }
}
