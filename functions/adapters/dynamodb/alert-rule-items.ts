// Item shape and keys of an alert rule on the `accounts` table, shared by the DynamoDB alert
// stores (no SDK calls here).
import type { AlertRule } from '#core/alerts/alert-rule.ts';

export const RULE_PREFIX = 'ALERT_RULE#';
export const ACTIVE_SHARD = 'ACTIVE';
export const ruleKey = (accountId: string, ruleId: string) => ({
  pk: `ACCOUNT#${accountId}`,
  sk: `${RULE_PREFIX}${ruleId}`,
});
export const activeKey = (accountId: string, ruleId: string) => `${accountId}#${ruleId}`;
/**
 * `pk=ACCOUNT#<accountId>, sk=ALERT_RULE#<ruleId>`: the rule's fields (`ruleName`, `ruleType`,
 * `threshold`, `unit?`, `period?` map, `providers?` list (rules from before scopes), `metric?`,
 * `minimum?`, `scope?` map, `channels?` list, `paused`, `createdAt`, `ruleState`),
 * `firedWarning`/`firedAlert` (ISO), per-level claims, `lastTestedAt` (ISO), and, while active,
 * `activeShard=ACTIVE` and `activeKey=<accountId>#<ruleId>` (the index keys).
 */
export type RuleItem = Record<string, unknown>;

export function toItem(rule: AlertRule): RuleItem {
  return {
    ...ruleKey(rule.accountId, rule.ruleId),
    accountId: rule.accountId,
    ruleId: rule.ruleId,
    // The document client leaves out attributes that are undefined.
    ruleName: rule.name,
    ruleType: rule.type,
    threshold: rule.threshold,
    unit: rule.unit,
    period: rule.period,
    providers: rule.providers === undefined ? undefined : [...rule.providers],
    metric: rule.metric,
    minimum: rule.minimum,
    scope: rule.scope,
    channels: rule.channels === undefined ? undefined : [...rule.channels],
    paused: rule.paused,
    createdAt: rule.createdAt,
    ruleState: rule.state,
    firedWarning: rule.lastFired.warning,
    firedAlert: rule.lastFired.alert,
    lastTestedAt: rule.lastTestedAt,
    ...(rule.paused
      ? {}
      : { activeShard: ACTIVE_SHARD, activeKey: activeKey(rule.accountId, rule.ruleId) }),
  };
}

export function fromItem(item: RuleItem): AlertRule {
  const text = (name: string) =>
    typeof item[name] === 'string' ? (item[name] as string) : undefined;
  return {
    accountId: String(item.accountId),
    ruleId: String(item.ruleId),
    name: text('ruleName'),
    type: String(item.ruleType) as AlertRule['type'],
    threshold: Number(item.threshold),
    unit: text('unit') as AlertRule['unit'],
    period: item.period as AlertRule['period'],
    providers: Array.isArray(item.providers)
      ? (item.providers as NonNullable<AlertRule['providers']>)
      : undefined,
    metric: item.metric as AlertRule['metric'],
    minimum: item.minimum === undefined ? undefined : Number(item.minimum),
    scope: item.scope as AlertRule['scope'],
    channels: Array.isArray(item.channels) ? item.channels.map(String) : undefined,
    paused: item.paused === true,
    createdAt: String(item.createdAt),
    lastFired: { warning: text('firedWarning'), alert: text('firedAlert') },
    lastTestedAt: text('lastTestedAt'),
    state: (text('ruleState') ?? 'ok') as AlertRule['state'],
  };
}
