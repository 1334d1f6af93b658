// BudgetStore on DynamoDB (the `accounts` table): one item per budget in the account's
// partition, a budget counter item, and while active the keys of the sparse index of active
// items (partition `BUDGET`). GetItem, PutItem, UpdateItem and DeleteItem (conditional), Query.
// Every change to a budget refreshes the proxy's view on the account's lookup item before it
// returns (`refreshProxyView`), so the next proxied request is checked against it.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Budget, BudgetLevel } from '#core/budgets/budget.ts';
import type { ActiveBudgetsPage, BudgetChanges, BudgetStore } from '#core/ports/budget-store.ts';
import { queryActiveShard } from './accounts-table.ts';
import {
  ACTIVE_BUDGETS_SHARD,
  activeBudgetKey,
  activeIndexKeys,
  BUDGET_PREFIX,
  budgetCountKey,
  budgetFromItem,
  budgetKey,
  budgetToItem,
  LEVEL_ATTRIBUTES,
  SPEC_ATTRIBUTES,
} from './budget-items.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { refreshProxyView } from './proxy-view.ts';
import { queryPages } from './query-pages.ts';
import { Expression } from './update-expression.ts';

/** {@link BudgetStore} on the `accounts` table; budget reads are strongly consistent. */
export class DynamoBudgetStore implements BudgetStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  get #table() {
    return { client: this.#client, tableName: this.#tableName };
  }

  #update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    return conditionalUpdate(this.#client, { TableName: this.#tableName, ...input });
  }

  async list(accountId: string): Promise<Budget[]> {
    const budgets: Budget[] = [];
    for await (const page of queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': BUDGET_PREFIX },
      ConsistentRead: true,
    })) {
      for (const item of page.Items ?? []) budgets.push(budgetFromItem(item));
    }
    return budgets.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.budgetId.localeCompare(b.budgetId),
    );
  }

  async get(accountId: string, budgetId: string): Promise<Budget | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: budgetKey(accountId, budgetId),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item === undefined ? undefined : budgetFromItem(output.Item);
  }

  /**
   * Reserves a place with a conditional `ADD budgetCount 1` (`budgetCount < maxBudgets`: writes
   * to one item are serialised, so concurrent creates cannot overshoot), then puts the budget; a
   * failed put gives the place back. A crash between the two leaves the counter one high: the
   * account then fits one budget fewer, never one more.
   */
  async create(budget: Budget, maxBudgets: number): Promise<boolean> {
    const counter = budgetCountKey(budget.accountId);
    await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: { ...counter, budgetCount: 0 },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    const reserved = await this.#update({
      Key: counter,
      UpdateExpression: 'ADD budgetCount :one',
      ConditionExpression: 'budgetCount < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': maxBudgets },
    });
    if (!reserved) return false;
    const stored = await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: budgetToItem(budget),
      ConditionExpression: 'attribute_not_exists(pk)',
    }).catch(async (error: unknown) => {
      await this.#addToCount(budget.accountId, -1);
      throw error;
    });
    if (!stored) {
      await this.#addToCount(budget.accountId, -1);
      return false;
    }
    await refreshProxyView(this.#table, budget.accountId);
    return true;
  }

  async #addToCount(accountId: string, delta: number): Promise<void> {
    await this.#update({
      Key: budgetCountKey(accountId),
      UpdateExpression: 'ADD budgetCount :delta',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':delta': delta },
    });
  }

  async update(
    accountId: string,
    budgetId: string,
    changes: BudgetChanges,
    expectedVersion?: number,
  ): Promise<Budget | 'conflict' | undefined> {
    const expression = new Expression();
    const set = [`budgetVersion = budgetVersion + ${expression.value(1)}`];
    const remove: string[] = [];
    for (const [field, attribute] of Object.entries(SPEC_ATTRIBUTES)) {
      const value = changes[field as keyof typeof SPEC_ATTRIBUTES];
      if (value !== undefined)
        set.push(`${expression.name(attribute)} = ${expression.value(value)}`);
    }
    if (changes.conversion !== undefined) {
      set.push(`limitPicoUsd = ${expression.value(changes.conversion.limitPicoUsd)}`);
      set.push(`fx = ${expression.value(changes.conversion.fx)}`);
    }
    if (changes.paused === true) remove.push('activeShard', 'activeKey');
    if (changes.paused === false) {
      for (const [name, value] of Object.entries(
        activeIndexKeys({ accountId, budgetId, paused: false }),
      )) {
        set.push(`${name} = ${expression.value(value)}`);
      }
    }
    const conditions = ['attribute_exists(pk)'];
    if (expectedVersion !== undefined) {
      conditions.push(`budgetVersion = ${expression.value(expectedVersion)}`);
    }
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: budgetKey(accountId, budgetId),
      UpdateExpression: `SET ${set.join(', ')}${remove.length === 0 ? '' : ` REMOVE ${remove.join(', ')}`}`,
      ConditionExpression: conditions.join(' AND '),
      ...(Object.keys(expression.names).length === 0
        ? {}
        : { ExpressionAttributeNames: expression.names }),
      ExpressionAttributeValues: expression.values,
      ReturnValues: 'ALL_NEW',
    });
    if (output?.Attributes === undefined) {
      if (expectedVersion === undefined) return undefined;
      return (await this.get(accountId, budgetId)) === undefined ? undefined : 'conflict';
    }
    await refreshProxyView(this.#table, accountId);
    return budgetFromItem(output.Attributes);
  }

  /** Deletes the budget, gives its place back, and drops it from the proxy's view. */
  async delete(accountId: string, budgetId: string): Promise<boolean> {
    const deleted = await conditionalDelete(this.#client, {
      TableName: this.#tableName,
      Key: budgetKey(accountId, budgetId),
      ConditionExpression: 'attribute_exists(pk)',
    });
    if (!deleted) return false;
    await this.#addToCount(accountId, -1);
    await refreshProxyView(this.#table, accountId);
    return true;
  }

  async listActive(options: {
    readonly after?: string;
    readonly limit: number;
  }): Promise<ActiveBudgetsPage> {
    const page = await queryActiveShard(this.#table, ACTIVE_BUDGETS_SHARD, options);
    const budgets = page.items.map(budgetFromItem);
    const last = budgets.at(-1);
    return page.more && last !== undefined
      ? { budgets, next: activeBudgetKey(last.accountId, last.budgetId) }
      : { budgets };
  }

  claimLevel(
    accountId: string,
    budgetId: string,
    level: BudgetLevel,
    options: { readonly period: string; readonly nowMs: number; readonly leaseMs: number },
  ): Promise<boolean> {
    const { sent, claim } = LEVEL_ATTRIBUTES[level];
    return this.#update({
      Key: budgetKey(accountId, budgetId),
      UpdateExpression: `SET ${claim} = :until`,
      ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${sent}) OR ${sent} <> :period) AND (attribute_not_exists(${claim}) OR ${claim} <= :now)`,
      ExpressionAttributeValues: {
        ':until': options.nowMs + options.leaseMs,
        ':period': options.period,
        ':now': options.nowMs,
      },
    });
  }

  async confirmLevel(
    accountId: string,
    budgetId: string,
    level: BudgetLevel,
    period: string,
  ): Promise<void> {
    const { sent, claim } = LEVEL_ATTRIBUTES[level];
    await this.#update({
      Key: budgetKey(accountId, budgetId),
      UpdateExpression: `SET ${sent} = :period REMOVE ${claim}`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':period': period },
    });
  }

  async releaseLevel(accountId: string, budgetId: string, level: BudgetLevel): Promise<void> {
    await this.#update({
      Key: budgetKey(accountId, budgetId),
      UpdateExpression: `REMOVE ${LEVEL_ATTRIBUTES[level].claim}`,
      ConditionExpression: 'attribute_exists(pk)',
    });
  }
}
