// AlertRuleStore on DynamoDB (the `accounts` table): one item per rule in the account's
// partition, plus a rule counter item; active rules also carry the keys of the sparse
// `activeAlertRules` index. GetItem, PutItem, UpdateItem and DeleteItem (conditional), Query.
import { PutCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertRuleChanges, AlertRuleStore } from '#core/ports/alert-rule-store.ts';
import { type AccountsTable, getItem } from './accounts-table.ts';
import {
  ACTIVE_SHARD,
  activeKey,
  fromItem,
  RULE_PREFIX,
  type RuleItem,
  ruleKey,
  toItem,
} from './alert-rule-items.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';

/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_RULES`: `ruleCount`, the account's number of rules. Its own
 * item (not the profile's) so that no profile write can reset it; its sort key is outside the
 * `ALERT_RULE#` range `list` reads.
 */
const countKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ALERT_RULES' });

const FIELD_ATTRIBUTE: Record<keyof AlertRuleChanges, string> = {
  name: 'ruleName',
  type: 'ruleType',
  threshold: 'threshold',
  unit: 'unit',
  period: 'period',
  providers: 'providers',
  metric: 'metric',
  minimum: 'minimum',
  scope: 'scope',
  channels: 'channels',
  paused: 'paused',
};

/** {@link AlertRuleStore} on the `accounts` table; rule reads are strongly consistent. */
export class DynamoAlertRuleStore implements AlertRuleStore {
  readonly #client: AccountsTable['client'];
  readonly #tableName: string;

  constructor(options: AccountsTable) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  get #table(): AccountsTable {
    return { client: this.#client, tableName: this.#tableName };
  }

  /** A conditional UpdateItem on the table; false when its condition failed. */
  #update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    return conditionalUpdate(this.#client, { TableName: this.#tableName, ...input });
  }

  async list(accountId: string): Promise<AlertRule[]> {
    const rules: AlertRule[] = [];
    for await (const page of queryPages(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `ACCOUNT#${accountId}`, ':prefix': RULE_PREFIX },
      ConsistentRead: true,
    })) {
      for (const item of page.Items ?? []) rules.push(fromItem(item));
    }
    return rules.sort(
      (a, b) => a.createdAt.localeCompare(b.createdAt) || a.ruleId.localeCompare(b.ruleId),
    );
  }

  async get(accountId: string, ruleId: string): Promise<AlertRule | undefined> {
    const item = await getItem<RuleItem>(this.#table, ruleKey(accountId, ruleId));
    return item === undefined ? undefined : fromItem(item);
  }

  /**
   * Reserves a place with a conditional `ADD ruleCount 1` (`ruleCount < maxRules`: DynamoDB
   * serialises writes to one item, so concurrent creates cannot overshoot), then puts the rule;
   * a failed put gives the place back. A crash between the two leaves the counter one high: the
   * account then fits one rule fewer, never one more.
   */
  async create(rule: AlertRule, maxRules: number): Promise<boolean> {
    if (!(await this.#reserve(rule.accountId, maxRules))) return false;
    try {
      await dynamoCall('PutItem', () =>
        this.#client.send(
          new PutCommand({
            TableName: this.#tableName,
            Item: toItem(rule),
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    } catch (error) {
      await this.#addToCount(rule.accountId, -1);
      throw error;
    }
    return true;
  }

  /**
   * A refused reservation means "full" only if the counter existed when it was refused. So after
   * a refusal the counter is made sure of (created from the rules stored if missing) and the
   * reservation tried once more: asking whether the counter exists instead would call the
   * account full whenever another writer created the counter in between, with room left.
   */
  async #reserve(accountId: string, maxRules: number): Promise<boolean> {
    if (await this.#takePlace(accountId, maxRules)) return true;
    await this.#ensureCounter(accountId);
    return this.#takePlace(accountId, maxRules);
  }

  #takePlace(accountId: string, maxRules: number): Promise<boolean> {
    return this.#update({
      Key: countKey(accountId),
      UpdateExpression: 'ADD ruleCount :one',
      ConditionExpression: 'ruleCount < :max',
      ExpressionAttributeValues: { ':one': 1, ':max': maxRules },
    });
  }

  async #counterExists(accountId: string): Promise<boolean> {
    return (await getItem(this.#table, countKey(accountId))) !== undefined;
  }

  /**
   * Creates the counter from the rules stored, for an account whose rules predate it. Exact
   * because rules are only created or deleted once the counter exists: a count taken before it
   * existed is either still true when its conditional put lands, or the put fails.
   */
  async #ensureCounter(accountId: string): Promise<void> {
    if (await this.#counterExists(accountId)) return;
    const count = (await this.list(accountId)).length;
    await conditionalPut(this.#client, {
      TableName: this.#tableName,
      Item: { ...countKey(accountId), ruleCount: count },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  }

  async #addToCount(accountId: string, delta: number): Promise<void> {
    await this.#update({
      Key: countKey(accountId),
      UpdateExpression: 'ADD ruleCount :delta',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':delta': delta },
    });
  }

  async update(
    accountId: string,
    ruleId: string,
    changes: AlertRuleChanges,
  ): Promise<AlertRule | undefined> {
    const set: string[] = [];
    const remove: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(changes) as [keyof AlertRuleChanges, unknown][]) {
      if (value === undefined) continue;
      const attribute = FIELD_ATTRIBUTE[field];
      names[`#${attribute}`] = attribute;
      if (value === null) remove.push(`#${attribute}`);
      else {
        set.push(`#${attribute} = :${attribute}`);
        values[`:${attribute}`] = value;
      }
    }
    if (changes.paused === true) remove.push('activeShard', 'activeKey');
    if (changes.paused === false) {
      set.push('activeShard = :shard', 'activeKey = :activeKey');
      values[':shard'] = ACTIVE_SHARD;
      values[':activeKey'] = activeKey(accountId, ruleId);
    }
    const clauses: string[] = [];
    if (set.length > 0) clauses.push(`SET ${set.join(', ')}`);
    if (remove.length > 0) clauses.push(`REMOVE ${remove.join(', ')}`);
    if (clauses.length === 0) return this.get(accountId, ruleId);
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: clauses.join(' '),
      ConditionExpression: 'attribute_exists(pk)',
      // Every change names its attribute; a change of removals only has no values.
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: Object.keys(values).length === 0 ? undefined : values,
      ReturnValues: 'ALL_NEW',
    });
    return output?.Attributes === undefined ? undefined : fromItem(output.Attributes);
  }

  /** Deletes the rule, then gives its place back (`ADD ruleCount -1`). */
  async delete(accountId: string, ruleId: string): Promise<boolean> {
    await this.#ensureCounter(accountId);
    const deleted = await conditionalDelete(this.#client, {
      TableName: this.#tableName,
      Key: ruleKey(accountId, ruleId),
      ConditionExpression: 'attribute_exists(pk)',
    });
    if (deleted) await this.#addToCount(accountId, -1);
    return deleted;
  }
}
