// AlertRuleStore on DynamoDB (the `accounts` table): one item per rule in the account's
// partition, plus a rule counter item; active rules also carry the keys of the sparse
// `activeAlertRules` index. GetItem, PutItem, UpdateItem and DeleteItem (conditional), Query.
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { AlertLevel } from '#core/alerts/alert-policy.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type {
  ActiveRulesPage,
  AlertRuleChanges,
  AlertRuleStore,
  TestClaim,
} from '#core/ports/alert-rule-store.ts';
import {
  conditionalDelete,
  conditionalPut,
  conditionalUpdate,
  conditionalUpdateOutput,
} from './conditional-write.ts';
import { dynamoCall } from './dynamo-errors.ts';
import { queryPages } from './query-pages.ts';
import { ACTIVE_ALERT_RULES_INDEX } from './table-definitions.ts';

const RULE_PREFIX = 'ALERT_RULE#';
const ACTIVE_SHARD = 'ACTIVE';
/** `pk=ALERTS, sk=EVALUATOR_CURSOR`: where the evaluator's next run starts. */
const CURSOR_KEY = { pk: 'ALERTS', sk: 'EVALUATOR_CURSOR' } as const;

const ruleKey = (accountId: string, ruleId: string) => ({
  pk: `ACCOUNT#${accountId}`,
  sk: `${RULE_PREFIX}${ruleId}`,
});
const activeKey = (accountId: string, ruleId: string) => `${accountId}#${ruleId}`;
/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_RULES`: `ruleCount`, the account's number of rules. Its own
 * item (not the profile's) so that no profile write can reset it; its sort key is outside the
 * `ALERT_RULE#` range `list` reads.
 */
const countKey = (accountId: string) => ({ pk: `ACCOUNT#${accountId}`, sk: 'ALERT_RULES' });

/** Item attribute names per level: when it fired, and the claim (token, lease end in ms). */
const LEVEL_ATTRIBUTES: Record<AlertLevel, { fired: string; claim: string; until: string }> = {
  warning: { fired: 'firedWarning', claim: 'claimWarning', until: 'claimWarningUntil' },
  alert: { fired: 'firedAlert', claim: 'claimAlert', until: 'claimAlertUntil' },
};

/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_RULE#<ruleId>`: the rule's fields (`ruleName`, `ruleType`,
 * `threshold`, `unit?`, `period?` map, `providers?` list, `paused`, `createdAt`, `ruleState`),
 * `firedWarning`/`firedAlert` (ISO), per-level claims, `lastTestedAt` (ISO), and, while active,
 * `activeShard=ACTIVE` and `activeKey=<accountId>#<ruleId>` (the index keys).
 */
type RuleItem = Record<string, unknown>;

function toItem(rule: AlertRule): RuleItem {
  return {
    ...ruleKey(rule.accountId, rule.ruleId),
    accountId: rule.accountId,
    ruleId: rule.ruleId,
    ...(rule.name === undefined ? {} : { ruleName: rule.name }),
    ruleType: rule.type,
    threshold: rule.threshold,
    ...(rule.unit === undefined ? {} : { unit: rule.unit }),
    ...(rule.period === undefined ? {} : { period: rule.period }),
    ...(rule.providers === undefined ? {} : { providers: [...rule.providers] }),
    paused: rule.paused,
    createdAt: rule.createdAt,
    ruleState: rule.state,
    ...(rule.lastFired.warning === undefined ? {} : { firedWarning: rule.lastFired.warning }),
    ...(rule.lastFired.alert === undefined ? {} : { firedAlert: rule.lastFired.alert }),
    ...(rule.lastTestedAt === undefined ? {} : { lastTestedAt: rule.lastTestedAt }),
    ...(rule.paused
      ? {}
      : { activeShard: ACTIVE_SHARD, activeKey: activeKey(rule.accountId, rule.ruleId) }),
  };
}

function fromItem(item: RuleItem): AlertRule {
  const text = (name: string) =>
    typeof item[name] === 'string' ? (item[name] as string) : undefined;
  const name = text('ruleName');
  const unit = text('unit');
  const warning = text('firedWarning');
  const alert = text('firedAlert');
  const lastTestedAt = text('lastTestedAt');
  return {
    accountId: String(item.accountId),
    ruleId: String(item.ruleId),
    ...(name === undefined ? {} : { name }),
    type: String(item.ruleType) as AlertRule['type'],
    threshold: Number(item.threshold),
    ...(unit === undefined ? {} : { unit: unit as NonNullable<AlertRule['unit']> }),
    ...(item.period === undefined
      ? {}
      : { period: item.period as NonNullable<AlertRule['period']> }),
    ...(Array.isArray(item.providers)
      ? { providers: item.providers as NonNullable<AlertRule['providers']> }
      : {}),
    paused: item.paused === true,
    createdAt: String(item.createdAt),
    lastFired: {
      ...(warning === undefined ? {} : { warning }),
      ...(alert === undefined ? {} : { alert }),
    },
    ...(lastTestedAt === undefined ? {} : { lastTestedAt }),
    state: (text('ruleState') ?? 'ok') as AlertRule['state'],
  };
}

const FIELD_ATTRIBUTE: Record<keyof AlertRuleChanges, string> = {
  name: 'ruleName',
  type: 'ruleType',
  threshold: 'threshold',
  unit: 'unit',
  period: 'period',
  providers: 'providers',
  paused: 'paused',
};

/** {@link AlertRuleStore} on the `accounts` table; rule reads are strongly consistent. */
export class DynamoAlertRuleStore implements AlertRuleStore {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
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
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: ruleKey(accountId, ruleId),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item === undefined ? undefined : fromItem(output.Item);
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
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: countKey(accountId),
          ConsistentRead: true,
        }),
      ),
    );
    return output.Item !== undefined;
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
        values[`:${attribute}`] = Array.isArray(value) ? [...value] : value;
      }
    }
    if (changes.paused === true) remove.push('activeShard', 'activeKey');
    if (changes.paused === false) {
      set.push('activeShard = :shard', 'activeKey = :activeKey');
      values[':shard'] = ACTIVE_SHARD;
      values[':activeKey'] = activeKey(accountId, ruleId);
    }
    if (set.length === 0 && remove.length === 0) return this.get(accountId, ruleId);
    const expression = [
      set.length === 0 ? '' : `SET ${set.join(', ')}`,
      remove.length === 0 ? '' : `REMOVE ${remove.join(', ')}`,
    ]
      .join(' ')
      .trim();
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: expression,
      ConditionExpression: 'attribute_exists(pk)',
      ...(Object.keys(names).length === 0 ? {} : { ExpressionAttributeNames: names }),
      ...(Object.keys(values).length === 0 ? {} : { ExpressionAttributeValues: values }),
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

  async listActive(options: {
    readonly after?: string;
    readonly limit: number;
  }): Promise<ActiveRulesPage> {
    const output = await dynamoCall('Query', () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: ACTIVE_ALERT_RULES_INDEX,
          KeyConditionExpression:
            options.after === undefined
              ? 'activeShard = :shard'
              : 'activeShard = :shard AND activeKey > :after',
          ExpressionAttributeValues: {
            ':shard': ACTIVE_SHARD,
            ...(options.after === undefined ? {} : { ':after': options.after }),
          },
          Limit: Math.max(1, options.limit),
        }),
      ),
    );
    const rules = (output.Items ?? []).map(fromItem);
    const last = rules.at(-1);
    return {
      rules,
      ...(output.LastEvaluatedKey === undefined || last === undefined
        ? {}
        : { next: activeKey(last.accountId, last.ruleId) }),
    };
  }

  async loadSweepCursor(): Promise<string | undefined> {
    const output = await dynamoCall('GetItem', () =>
      this.#client.send(new GetCommand({ TableName: this.#tableName, Key: CURSOR_KEY })),
    );
    return typeof output.Item?.cursor === 'string' ? output.Item.cursor : undefined;
  }

  async saveSweepCursor(cursor: string | undefined): Promise<void> {
    await dynamoCall('PutItem', () =>
      this.#client.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { ...CURSOR_KEY, ...(cursor === undefined ? {} : { cursor }) },
        }),
      ),
    );
  }

  async claimLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    options: { nowMs: number; cooldownMs: number; leaseMs: number; token: string },
  ): Promise<boolean> {
    const a = LEVEL_ATTRIBUTES[level];
    return this.#update({
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: `SET ${a.claim} = :token, ${a.until} = :until`,
      ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(${a.fired}) OR ${a.fired} <= :edge) AND (attribute_not_exists(${a.until}) OR ${a.until} <= :now)`,
      ExpressionAttributeValues: {
        ':token': options.token,
        ':until': options.nowMs + options.leaseMs,
        ':edge': new Date(options.nowMs - options.cooldownMs).toISOString(),
        ':now': options.nowMs,
      },
    });
  }

  async confirmLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    token: string,
    firedAt: string,
  ): Promise<void> {
    const a = LEVEL_ATTRIBUTES[level];
    const key = ruleKey(accountId, ruleId);
    const confirmed = await this.#update({
      Key: key,
      UpdateExpression: `SET ${a.fired} = :at REMOVE ${a.claim}, ${a.until}`,
      ConditionExpression: `${a.claim} = :token`,
      ExpressionAttributeValues: { ':at': firedAt, ':token': token },
    });
    if (confirmed) return;
    // Our lease ran out and someone else holds the level now: still record that we emailed.
    await this.#update({
      Key: key,
      UpdateExpression: `SET ${a.fired} = :at`,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': firedAt },
    });
  }

  async releaseLevel(
    accountId: string,
    ruleId: string,
    level: AlertLevel,
    token: string,
  ): Promise<void> {
    const a = LEVEL_ATTRIBUTES[level];
    await this.#update({
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: `REMOVE ${a.claim}, ${a.until}`,
      ConditionExpression: `${a.claim} = :token`,
      ExpressionAttributeValues: { ':token': token },
    });
  }

  async claimTest(
    accountId: string,
    ruleId: string,
    nowMs: number,
    cooldownMs: number,
  ): Promise<TestClaim | undefined> {
    const output = await conditionalUpdateOutput(this.#client, {
      TableName: this.#tableName,
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: 'SET lastTestedAt = :now',
      ConditionExpression:
        'attribute_exists(pk) AND (attribute_not_exists(lastTestedAt) OR lastTestedAt <= :edge)',
      ExpressionAttributeValues: {
        ':now': new Date(nowMs).toISOString(),
        ':edge': new Date(nowMs - cooldownMs).toISOString(),
      },
      ReturnValues: 'UPDATED_OLD',
    });
    if (output !== undefined) {
      const previous = output.Attributes?.lastTestedAt;
      return typeof previous === 'string' ? { claimed: true, previous } : { claimed: true };
    }
    const rule = await this.get(accountId, ruleId);
    if (rule === undefined) return undefined;
    return { claimed: false, lastTestedAt: rule.lastTestedAt ?? new Date(nowMs).toISOString() };
  }

  async releaseTest(
    accountId: string,
    ruleId: string,
    claimedAt: string,
    previous: string | undefined,
  ): Promise<void> {
    await this.#update({
      Key: ruleKey(accountId, ruleId),
      UpdateExpression:
        previous === undefined ? 'REMOVE lastTestedAt' : 'SET lastTestedAt = :previous',
      ConditionExpression: 'lastTestedAt = :claimed',
      ExpressionAttributeValues: {
        ':claimed': claimedAt,
        ...(previous === undefined ? {} : { ':previous': previous }),
      },
    });
  }

  async setState(accountId: string, ruleId: string, state: AlertRule['state']): Promise<void> {
    await this.#update({
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: 'SET ruleState = :state',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':state': state },
    });
  }
}
