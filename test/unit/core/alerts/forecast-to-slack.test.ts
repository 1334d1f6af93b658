// The acceptance story at the evaluator: a Pro account in EUR with a EUR 400 forecast
// rule that notifies Slack gets, on the 12th, one Slack message saying the month ends at
// EUR 430 at this pace, and when the threshold is crossed. Figures are hand sums (below).
import { describe, expect, it } from 'vitest';
import type { Account } from '#core/accounts/account.ts';
import type { AlertRule } from '#core/alerts/alert-rule.ts';
import { channelSecretContext } from '#core/alerts/channels/alert-channel.ts';
import { evaluateAlerts } from '#core/alerts/evaluate-alerts.ts';
import type { ScopedRollup, ScopedUsageReader } from '#core/alerts/scoped-usage.ts';
import type { WebhookClient } from '#core/ports/webhook-client.ts';
import { EMPTY_COUNTS } from '#core/rollups/rollup.ts';
import { FakeClock } from '../../../fakes/fake-clock.ts';
import { FakeMailer } from '../../../fakes/fake-mailer.ts';
import { FixedRandom } from '../../../fakes/fixed-random.ts';
import { InMemoryAlertRuleStore } from '../../../fakes/in-memory-alert-rule-store.ts';
import { inMemoryDeliveryDeps } from '../../../fixtures/alert-delivery.ts';

const ACCOUNT_ID = 'acct-forecast';
const SLACK_URL = 'https://hooks.slack.com/services/T000/B000/secret';
// 1 EUR = 1.25 USD: 13 EUR = 16.25 USD, 14 EUR = 17.50 USD.
const QUOTE = { date: '2026-12-11', usdPerEur: '1.25', chfPerEur: '0.95', source: 'ecb' } as const;
const USD_16_25 = 16_250_000_000_000n;
const USD_17_50 = 17_500_000_000_000n;

/**
 * December 1-4 at EUR 13 a day, 5-11 at EUR 14 (sealed). On the 12th at 09:00 UTC:
 * spent 4 x 13 + 7 x 14 = EUR 150 through the 11th; pace EUR 14 (the last 7 days);
 * 20 days left (12th-31st): 150 + 20 x 14 = EUR 430. Crossing 400: 150 + 14 x 17 = 388 after
 * the 28th, 150 + 14 x 18 = 402 after the 29th, so on 2026-12-29.
 */
function decemberDays(): ScopedRollup[] {
  return Array.from({ length: 11 }, (_, index) => ({
    ...EMPTY_COUNTS,
    requests: 100,
    costPicoUsd: index < 4 ? USD_16_25 : USD_17_50,
    bucketStart: `2026-12-${String(index + 1).padStart(2, '0')}T00:00:00.000Z`,
    sealed: true,
  }));
}

describe('a forecast rule notifying Slack', () => {
  it('says on the 12th that at this pace the month ends at EUR 430 against EUR 400', async () => {
    // Arrange
    const clock = new FakeClock({ startMs: Date.parse('2026-12-12T09:00:00.000Z') });
    const random = new FixedRandom({ seed: 'forecast-to-slack' });
    const posts: { url: string; body: string }[] = [];
    const webhooks: WebhookClient = {
      refusal: async () => undefined,
      post: async (url, _headers, body) => {
        posts.push({ url, body });
        return { kind: 'answered', status: 200 };
      },
    };
    const delivery = inMemoryDeliveryDeps({ clock, random, mailer: new FakeMailer(), webhooks });
    await delivery.channels.create({
      accountId: ACCOUNT_ID,
      channelId: 'ch_slack',
      kind: 'slack',
      name: 'Team Slack',
      displayUrl: 'https://hooks.slack.com/services/T000…',
      sealed: await delivery.vault.seal(SLACK_URL, channelSecretContext(ACCOUNT_ID, 'ch_slack')),
      createdAt: '2026-11-01T00:00:00.000Z',
    });
    const rules = new InMemoryAlertRuleStore();
    const rule: AlertRule = {
      accountId: ACCOUNT_ID,
      ruleId: 'rule_forecast',
      name: 'Month-end spend',
      type: 'forecast',
      threshold: 400,
      channels: ['ch_slack'],
      paused: false,
      createdAt: '2026-11-01T00:00:00.000Z',
      lastFired: {},
      state: 'ok',
    };
    await rules.create(rule, 50);
    const account: Account = {
      accountId: ACCOUNT_ID,
      email: 'owner@example.com',
      displayName: 'Owner',
      currency: 'EUR',
      plan: 'pro',
      createdAt: '2026-11-01T00:00:00.000Z',
    };
    const usage: ScopedUsageReader = {
      read: async (_account, _rule, granularity, span) =>
        granularity === 'day'
          ? decemberDays().filter((day) => {
              const at = Date.parse(day.bucketStart);
              return at >= span.fromMs && at < span.toMs;
            })
          : [],
    };

    const deps = {
      ...delivery,
      sweep: rules,
      firing: rules,
      accounts: { getAccount: async (id: string) => (id === ACCOUNT_ID ? account : undefined) },
      usage,
      exactUsage: usage,
      fxRates: { put: async () => undefined, latest: async () => QUOTE },
      dashboardUrl: 'https://app.example.com',
    };

    // Act
    const report = await evaluateAlerts(deps);

    // Assert: one Alert (107.5% of the threshold), one Slack message with the figures.
    expect(report).toMatchObject({ notificationsSent: 1, sendFailures: 0, failures: 0 });
    expect(posts).toHaveLength(1);
    expect(posts[0]?.url).toBe(SLACK_URL);
    const message = JSON.parse(posts[0]?.body ?? '{}');
    expect(message.text).toBe(
      'Alert: Month-end spend is projected to reach its threshold: 430.00 EUR projected for the month (threshold 400.00 EUR)',
    );
    const fields = message.blocks[1].fields.map((field: { text: string }) => field.text);
    expect(fields).toEqual(
      expect.arrayContaining([
        '*Projected month end*\n430.00 EUR',
        '*Threshold reached*\non 2026-12-29 at this pace',
        '*Spent through 2026-12-11 (exact)*\n150.00 EUR',
        '*Daily pace (last 7 days)*\n14.00 EUR',
      ]),
    );
    // The button opens the Costs tab over the month.
    expect(message.blocks[2].elements[0].url).toBe(
      'https://app.example.com/dashboard?range=custom&from=2026-12-01T00%3A00%3A00.000Z&to=2027-01-01T00%3A00%3A00.000Z&tab=costs',
    );
    expect((await rules.get(ACCOUNT_ID, rule.ruleId))?.state).toBe('alert');

    // The next minute: nothing more (the level is in its 24 h cooldown).
    clock.advance(60_000);
    expect((await evaluateAlerts(deps)).notificationsSent).toBe(0);
    expect(posts).toHaveLength(1);
  });
});
