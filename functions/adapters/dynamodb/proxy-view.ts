// The proxy's view of an account, kept on its Metrion Key lookup item so that one conditional
// UpdateItem authenticates, reads, counts and reserves on budgets (see DynamoProxyAdmission).
// Calls: UpdateItem (`ADD viewVersion` on the profile, ALL_NEW), Query (provider keys and
// budgets, consistent), UpdateItem (the view, conditional on its version), PutItem (a bare
// lookup item).
//
// The profile and provider-key items stay the truth; the view is a copy every writer
// refreshes before it returns. Refreshes need no transaction: each one bumps the profile's
// `viewVersion` and reads the truth AFTER that bump, and the view only ever moves to a
// higher version. A refresh that started later read later, so the highest version is the
// freshest, whatever order the writes land in.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Account, StoredProviderKey } from '#core/accounts/account.ts';
import { proUntilMs } from '#core/billing/billing-state.ts';
import { enforcedBudget } from '#core/budgets/budget.ts';
import type { ProviderId } from '#core/providers/provider-registry.ts';
import type { SealedSecret } from '#core/vault/sealed-secret.ts';
import {
  accountPk,
  type Key,
  lookupKey,
  PROVIDER_KEY_PREFIX,
  type ProfileItem,
  type ProviderKeyItem,
  profileKey,
  toAccount,
  toProviderKey,
} from './account-items.ts';
import { BUDGET_PREFIX, budgetFromItem, enforcedToView } from './budget-items.ts';
import { conditionalPut, conditionalUpdate, conditionalUpdateOutput } from './conditional-write.ts';
import { queryPages } from './query-pages.ts';

/** Attribute name prefix of a window's admitted count on the lookup item (`n:rpm@…`). */
export const COUNT_PREFIX = 'n:';
/** Attribute name prefix of a window's refused tally on the lookup item (`r:rpm@…`). */
export const REFUSED_PREFIX = 'r:';

/**
 * `pk=METRION_KEY#<digest>, sk=LOOKUP`. Bare (accountId and counters only) until the first
 * refresh: a bare item never admits, the proxy refreshes it first (this is also how lookup items
 * written before the view existed are upgraded).
 */
export interface LookupItem extends Key {
  readonly accountId: string;
  readonly viewVersion?: number;
  readonly account?: Account;
  readonly providerKeys?: Partial<Record<ProviderId, ViewProviderKey>>;
  /** `proUntilMs(account)`: the conditional write decides the plan at `:now` with it. */
  readonly proUntilMs?: number;
  /** The active budgets, enforced form (`enforcedToView`); absent when the account has none. */
  readonly budgets?: readonly Record<string, unknown>[];
  readonly [counterOrTally: `${typeof COUNT_PREFIX | typeof REFUSED_PREFIX}${string}`]: number;
}

interface ViewProviderKey {
  readonly sealed: SealedSecret;
  readonly createdAt: string;
}

export interface ProxyViewTable {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
}

/** Every provider key of the account (consistent Query), in provider-id order. */
export async function queryProviderKeys(
  table: ProxyViewTable,
  accountId: string,
): Promise<StoredProviderKey[]> {
  const keys: StoredProviderKey[] = [];
  const pages = queryPages(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': accountPk(accountId), ':prefix': PROVIDER_KEY_PREFIX },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) keys.push(toProviderKey(item as ProviderKeyItem));
  }
  return keys;
}

/** The provider key of `provider` as the view holds it, or undefined. */
export function viewProviderKey(
  item: LookupItem,
  provider: ProviderId,
): StoredProviderKey | undefined {
  const viewed = item.providerKeys?.[provider];
  return viewed === undefined
    ? undefined
    : {
        accountId: item.accountId,
        provider,
        sealed: viewed.sealed,
        createdAt: viewed.createdAt,
      };
}

/** The window counters and refused tallies of a lookup item, by attribute name (all numbers). */
export function countersOf(item: object): Record<string, number> {
  return Object.fromEntries(
    Object.entries(item).filter(
      (entry): entry is [string, number] =>
        entry[0].startsWith(COUNT_PREFIX) || entry[0].startsWith(REFUSED_PREFIX),
    ),
  );
}

/** The active budgets of the account (consistent Query), in the view's form. */
async function queryActiveBudgets(
  table: ProxyViewTable,
  accountId: string,
): Promise<Record<string, unknown>[]> {
  const budgets: Record<string, unknown>[] = [];
  const pages = queryPages(table.client, {
    TableName: table.tableName,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': accountPk(accountId), ':prefix': BUDGET_PREFIX },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const budget = budgetFromItem(item);
      if (!budget.paused) budgets.push(enforcedToView(enforcedBudget(budget)));
    }
  }
  return budgets;
}

/**
 * Writes the lookup item of a new digest without a view, only where no other account's item
 * is (`carried` takes the month's counters and the budget ledger over a regeneration). Returns
 * false when another account owns the digest.
 */
export function putBareLookup(
  table: ProxyViewTable,
  digest: string,
  accountId: string,
  counters: Readonly<Record<string, unknown>> = {},
): Promise<boolean> {
  return conditionalPut(table.client, {
    TableName: table.tableName,
    Item: { ...lookupKey(digest), accountId, ...counters },
    ConditionExpression: 'attribute_not_exists(pk) OR accountId = :accountId',
    ExpressionAttributeValues: { ':accountId': accountId },
  });
}

/**
 * Rebuilds the view on the lookup item the profile names: 1. `ADD viewVersion 1` on the
 * profile (ALL_NEW: the profile as of that bump), 2. the provider keys and active budgets
 * (consistent, read after the bump), 3. the view written only if the item belongs to the
 * account and holds an older version. When the lookup item is missing (a regeneration between its delete and its put),
 * nothing is written and nothing is lost: the regeneration refreshes after its put, which comes
 * after this bump. Returns the profile as bumped, or undefined for an unknown account.
 */
export async function refreshProxyView(
  table: ProxyViewTable,
  accountId: string,
): Promise<ProfileItem | undefined> {
  const bumped = await conditionalUpdateOutput(table.client, {
    TableName: table.tableName,
    Key: profileKey(accountId),
    UpdateExpression: 'ADD viewVersion :one',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':one': 1 },
    ReturnValues: 'ALL_NEW',
  });
  if (bumped === undefined) return undefined;
  const profile = bumped.Attributes as ProfileItem;
  const [providerKeys, budgets] = await Promise.all([
    queryProviderKeys(table, accountId),
    queryActiveBudgets(table, accountId),
  ]);
  const account = toAccount(profile);
  const setView =
    'SET account = :account, providerKeys = :providerKeys, proUntilMs = :proUntilMs, viewVersion = :version';
  await conditionalUpdate(table.client, {
    TableName: table.tableName,
    Key: lookupKey(profile.metrionKeyDigest),
    UpdateExpression:
      budgets.length === 0 ? `${setView} REMOVE budgets` : `${setView}, budgets = :budgets`,
    ConditionExpression:
      'accountId = :accountId AND (attribute_not_exists(viewVersion) OR viewVersion < :version)',
    ExpressionAttributeValues: {
      ':account': account,
      ':providerKeys': Object.fromEntries(
        providerKeys.map((key) => [key.provider, { sealed: key.sealed, createdAt: key.createdAt }]),
      ),
      ':proUntilMs': proUntilMs(account),
      ':version': profile.viewVersion ?? 1,
      ':accountId': accountId,
      ...(budgets.length === 0 ? {} : { ':budgets': budgets }),
    },
  });
  return profile;
}
