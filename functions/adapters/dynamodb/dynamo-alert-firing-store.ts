// AlertFiringStore on DynamoDB (the `accounts` table): conditional UpdateItem of the rule item
// (per-level claim token and lease end, firing time, evaluated state).
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import type { AlertLevel } from '#core/alerts/alert-policy.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import type { AlertFiringStore } from '#core/ports/alert-firing-store.ts';
import type { AccountsTable } from './accounts-table.ts';
import { ruleKey } from './alert-rule-items.ts';
import { conditionalUpdate } from './conditional-write.ts';

/** Item attribute names per level: when it fired, and the claim (token, lease end in ms). */
const LEVEL_ATTRIBUTES: Record<AlertLevel, { fired: string; claim: string; until: string }> = {
  warning: { fired: 'firedWarning', claim: 'claimWarning', until: 'claimWarningUntil' },
  alert: { fired: 'firedAlert', claim: 'claimAlert', until: 'claimAlertUntil' },
};

/** {@link AlertFiringStore} on the `accounts` table. */
export class DynamoAlertFiringStore implements AlertFiringStore {
  readonly #client: AccountsTable['client'];
  readonly #tableName: string;

  constructor(options: AccountsTable) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** A conditional UpdateItem on the table; false when its condition failed. */
  #update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    return conditionalUpdate(this.#client, { TableName: this.#tableName, ...input });
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

  async setState(accountId: string, ruleId: string, state: AlertRule['state']): Promise<void> {
    await this.#update({
      Key: ruleKey(accountId, ruleId),
      UpdateExpression: 'SET ruleState = :state',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':state': state },
    });
  }
}
