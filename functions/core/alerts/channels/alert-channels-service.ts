import type { Account } from '../../accounts/account.ts';
import {
  ChannelInUseError,
  ChannelLimitError,
  InvalidRequestError,
  LimitReachedError,
  NotFoundError,
  PlanRequiredError,
} from '../../errors.ts';
import type { AccountStore } from '../../ports/account-store.ts';
import type { AlertChannelStore } from '../../ports/alert-channel-store.ts';
import type { AlertDeliveryStore } from '../../ports/alert-delivery-store.ts';
import type { AlertRuleStore } from '../../ports/alert-rule-store.ts';
import type { WebhookClient } from '../../ports/webhook-client.ts';
import type { SecretVault } from '../../vault/secret-vault.ts';
import { ruleLabel } from '../build-notice.ts';
import { alertRulesAllowed } from '../evaluate-alerts.ts';
import {
  type AlertChannel,
  channelSecretContext,
  EMAIL_CHANNEL_ID,
  MAX_ALERT_CHANNELS,
  maskedSlackUrl,
} from './alert-channel.ts';
import type { AlertDelivery } from './alert-delivery.ts';
import type { AlertNotice } from './alert-notice.ts';
import { attemptDelivery, type DeliverDeps } from './deliver.ts';

export interface AlertChannelsServiceDeps extends DeliverDeps {
  readonly accounts: Pick<AccountStore, 'getAccount'>;
  readonly channels: AlertChannelStore;
  readonly deliveries: AlertDeliveryStore;
  readonly rules: Pick<AlertRuleStore, 'list'>;
  readonly vault: SecretVault;
  readonly webhooks: WebhookClient;
  readonly dashboardUrl: string;
}

/** A channel as the API shows it (never its secret). */
export interface AlertChannelView {
  readonly id: string;
  readonly kind: 'email' | 'webhook' | 'slack';
  readonly name: string;
  readonly target: string;
  readonly createdAt?: string;
  readonly lastDelivery?: AlertChannel['lastDelivery'];
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

function view(channel: AlertChannel): AlertChannelView {
  return {
    id: channel.channelId,
    kind: channel.kind,
    name: channel.name,
    target: channel.displayUrl,
    createdAt: channel.createdAt,
    lastDelivery: channel.lastDelivery,
  };
}

function emailView(account: Account): AlertChannelView {
  return { id: EMAIL_CHANNEL_ID, kind: 'email', name: 'Email', target: account.email };
}

function deliveryView(delivery: AlertDelivery) {
  return {
    id: delivery.deliveryId,
    createdAt: delivery.createdAt,
    ruleId: delivery.notice.ruleId,
    ruleName: delivery.notice.ruleName,
    level: delivery.notice.level,
    status: delivery.status,
    attempts: delivery.attempts,
    nextAttemptAt: delivery.nextAttemptAt,
    lastAttemptAt: delivery.lastAttemptAt,
    lastResult: delivery.lastResult,
  };
}

/** What a Test sends: a sample notice that says it is one. */
function testNotice(channelName: string, nowIso: string, dashboardUrl: string): AlertNotice {
  return {
    ruleId: 'test',
    ruleName: `Test of ${channelName}`,
    ruleType: 'budget',
    scope: { kind: 'account' },
    scopeText: 'all requests',
    level: 'test',
    headline: `Test: Metrion alerts reach ${channelName}`,
    value: '0.00 USD',
    threshold: '0.00 USD',
    period: { from: nowIso, to: nowIso, text: 'now' },
    details: [],
    dashboardUrl: `${dashboardUrl.replace(/\/+$/, '')}/alerts`,
    firedAt: nowIso,
  };
}

async function proAccount(deps: AlertChannelsServiceDeps, accountId: string): Promise<Account> {
  const account = await deps.accounts.getAccount(accountId);
  if (account === undefined) throw new NotFoundError('Sign in again: the account was not found.');
  if (!alertRulesAllowed(account, deps.clock.nowMs())) {
    throw new PlanRequiredError(
      'Alert channels are part of Metrion Pro. Upgrade under Settings → Plan to use them.',
    );
  }
  return account;
}

async function ownChannel(
  deps: AlertChannelsServiceDeps,
  accountId: string,
  id: string,
): Promise<AlertChannel> {
  const channel = await deps.channels.get(accountId, id);
  if (channel === undefined) throw new NotFoundError(`No alert channel ${id.slice(0, 60)}.`);
  return channel;
}

/** Creates a webhook or Slack channel; a webhook's signing secret is answered this once. */
async function createChannel(
  deps: AlertChannelsServiceDeps,
  accountId: string,
  input: { kind: 'webhook' | 'slack'; name: string; url: string },
) {
  await proAccount(deps, accountId);
  if ((await deps.channels.list(accountId)).length >= MAX_ALERT_CHANNELS) {
    throw new ChannelLimitError(
      `An account has at most ${MAX_ALERT_CHANNELS} alert channels. Delete one to add another.`,
    );
  }
  const refusal = await deps.webhooks.refusal(input.url);
  if (refusal !== undefined) throw new InvalidRequestError(refusal);
  const channelId = `ch_${hex(deps.random.bytes(10))}`;
  const secret = input.kind === 'webhook' ? `whsec_${hex(deps.random.bytes(32))}` : input.url;
  const channel: AlertChannel = {
    accountId,
    channelId,
    kind: input.kind,
    name: input.name,
    displayUrl: input.kind === 'webhook' ? input.url : maskedSlackUrl(input.url),
    url: input.kind === 'webhook' ? input.url : undefined,
    sealed: await deps.vault.seal(secret, channelSecretContext(accountId, channelId)),
    createdAt: new Date(deps.clock.nowMs()).toISOString(),
  };
  await deps.channels.create(channel);
  return { channel: view(channel), secret: input.kind === 'webhook' ? secret : undefined };
}

/** Sends a test notice now and answers how it went; at most one per channel per minute. */
async function testChannel(deps: AlertChannelsServiceDeps, accountId: string, id: string) {
  const account = await proAccount(deps, accountId);
  const name =
    id === EMAIL_CHANNEL_ID ? account.email : (await ownChannel(deps, accountId, id)).name;
  const nowMs = deps.clock.nowMs();
  const minute = Math.floor(nowMs / 60_000);
  const delivery: AlertDelivery = {
    accountId,
    channelId: id,
    deliveryId: `test_${minute}`,
    to: id === EMAIL_CHANNEL_ID ? account.email : undefined,
    notice: testNotice(name, new Date(nowMs).toISOString(), deps.dashboardUrl),
    createdAt: new Date(nowMs).toISOString(),
    status: 'pending',
    attempts: 0,
  };
  if (!(await deps.deliveries.enqueue(delivery))) {
    throw new LimitReachedError(
      'Test sends at most one notice per channel per minute. Try again in a minute.',
      Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)),
    );
  }
  await attemptDelivery(deps, delivery);
  const [sent] = (await deps.deliveries.listForChannel(accountId, id, 50)).filter(
    (logged) => logged.deliveryId === delivery.deliveryId,
  );
  return deliveryView(sent ?? delivery);
}

/** The alert channels API use cases, each scoped to the caller's account and gated on the plan. */
export function createAlertChannelsService(deps: AlertChannelsServiceDeps) {
  return {
    async list(accountId: string) {
      const account = await proAccount(deps, accountId);
      const channels = await deps.channels.list(accountId);
      return {
        channels: [emailView(account), ...channels.map(view)],
        maxChannels: MAX_ALERT_CHANNELS,
      };
    },

    create: (accountId: string, input: { kind: 'webhook' | 'slack'; name: string; url: string }) =>
      createChannel(deps, accountId, input),

    async rename(accountId: string, id: string, name: string) {
      await proAccount(deps, accountId);
      const renamed = await deps.channels.rename(accountId, id, name);
      if (renamed === undefined) throw new NotFoundError(`No alert channel ${id.slice(0, 60)}.`);
      return view(renamed);
    },

    async remove(accountId: string, id: string) {
      await proAccount(deps, accountId);
      const users = (await deps.rules.list(accountId)).filter((rule) =>
        rule.channels?.includes(id),
      );
      if (users.length > 0) {
        throw new ChannelInUseError(
          `Rules still notify this channel: ${users.map(ruleLabel).join(', ')}. Remove it from them first.`,
        );
      }
      if (!(await deps.channels.delete(accountId, id))) {
        throw new NotFoundError(`No alert channel ${id.slice(0, 60)}.`);
      }
      return { id };
    },

    test: (accountId: string, id: string) => testChannel(deps, accountId, id),

    async deliveries(accountId: string, id: string) {
      await proAccount(deps, accountId);
      if (id !== EMAIL_CHANNEL_ID) await ownChannel(deps, accountId, id);
      const log = await deps.deliveries.listForChannel(accountId, id, 50);
      return { deliveries: log.map(deliveryView) };
    },
  };
}

export type AlertChannelsService = ReturnType<typeof createAlertChannelsService>;
