import { JsonLogger } from '#adapters/system/json-logger.ts';
import { exactUsd } from '#core/currency/money-text.ts';
import { EmailTakenError, NotFoundError } from '#core/errors.ts';
import type { Clock } from '#core/ports/clock.ts';
import { PRICE_VERSION } from '#core/pricing/price-version.ts';
import { repriceUsage } from '#core/pricing/reprice.ts';
import { isProviderId, PROVIDER_IDS } from '#core/providers/provider-registry.ts';
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
  'reprice',
  'migrate-secrets',
];

export const ADMIN_USAGE = `Usage: npm run admin -- <command> [options]

  create-account     --email <email> [--name <display name>]
  show-key           <account>
  set-provider-key   <account> --provider <${PROVIDER_IDS.join('|')}> --key <key|->
  list-provider-keys <account>
  usage              <account> [--limit <n>]   (newest first)
  unpriced           <account> [--limit <n>]   (models without a price in recent usage)
  reprice            --since <ISO date or time>  (re-price records priced by older price data)
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
  const header = ['provider', 'model', 'requests', 'last seen'];
  const cells = rows.map((row) => [row.provider, row.model, String(row.count), row.last]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  return [header, ...cells]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function createAccount(data: LocalData, options: AdminArgs['options']): Promise<string> {
  const email = required(options, 'email');
  try {
    const created = await data.accountService.createAccount({
      email,
      ...(options.name ? { displayName: options.name } : {}),
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
    case 'reprice': {
      const since = required(options, 'since');
      const sinceMs = Date.parse(since);
      if (Number.isNaN(sinceMs)) throw new AdminUsageError(`--since must be an ISO date: ${since}`);
      const deps = buildRepriceDeps({
        documentClient: data.documentClient,
        usageTable: data.usageTable,
        logger: new JsonLogger({ service: 'admin', minimumLevel: 'warn' }),
        ...(args.clock === undefined ? {} : { clock: args.clock }),
      });
      const report = await repriceUsage(deps, { sinceMs }).catch((error: unknown) => {
        throw error instanceof RangeError ? new AdminUsageError(error.message) : error;
      });
      return [
        `Re-priced ${report.repriced} of ${report.considered} records priced by older price data (now ${PRICE_VERSION}).`,
        `${report.costChanged} costs changed; ${report.sealed.hoursSealed} hours and ${report.sealed.daysRebuilt} days of rollups rebuilt.`,
      ].join('\n');
    }
    case 'migrate-secrets': {
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
    default:
      throw new AdminUsageError(ADMIN_USAGE);
  }
}
