import { useCallback, useState } from 'react';
import type { AlertRuleDto } from '#contracts/alerts-api.ts';
import {
  checkCreate,
  checkUpdate,
  type FieldErrors,
  type RuleDraft,
  retryAt,
  ruleLabel,
  withRule,
} from '../lib/alert-rules.ts';
import { ApiRequestError, api, errorMessage } from '../lib/api-client.ts';
import { formatDateTime, formatWait } from '../lib/format.ts';

export interface PageNotice {
  readonly kind: 'success' | 'error' | 'warning';
  readonly message: string;
}

/** The refusal of a second Test within the cooldown, with when it works again. */
function testRefused(rule: AlertRuleDto, error: ApiRequestError, cooldownHours: number): string {
  const seconds = error.retryAfterSeconds;
  if (seconds === undefined) return `Try again later. ${error.message}`;
  return `Try again later: Test already sent an email for “${ruleLabel(rule)}” in the last ${cooldownHours} hours. It can be used again at ${formatDateTime(retryAt(seconds, Date.now()))} (in ${formatWait(seconds)}).`;
}

type Send = { readonly errors: FieldErrors } | { readonly request: () => Promise<AlertRuleDto> };

/** A New Alert form checked with the contract, ready to send. */
function sendCreate(draft: RuleDraft): Send {
  const checked = checkCreate(draft);
  return checked.ok ? { request: () => api.createAlertRule(checked.body) } : checked;
}

/** An Edit form checked with the contract, ready to send. */
function sendUpdate(draft: RuleDraft, rule: AlertRuleDto): Send {
  const checked = checkUpdate(draft, rule);
  return checked.ok ? { request: () => api.updateAlertRule(rule.id, checked.body) } : checked;
}

/**
 * The Alerts page's rules and what the page does with them through the API: create and edit
 * (checked with the contract's schemas first), pause/resume, Test and delete. One rule action
 * runs at a time (`busyId`); its outcome is the page `notice`.
 */
export function useAlertRules(initial: readonly AlertRuleDto[], testCooldownHours: number) {
  const [rules, setRules] = useState<readonly AlertRuleDto[]>(initial);
  const [busyId, setBusyId] = useState<string>();
  const [notice, setNotice] = useState<PageNotice>();

  /** Creates (no `editing`) or updates a rule; answers the field errors, empty once saved. */
  const save = useCallback(
    async (draft: RuleDraft, editing?: AlertRuleDto): Promise<FieldErrors> => {
      const send = editing ? sendUpdate(draft, editing) : sendCreate(draft);
      if ('errors' in send) return send.errors;
      try {
        const saved = await send.request();
        setRules((current) => withRule(current, saved));
        setNotice({
          kind: 'success',
          message: `${editing ? 'Saved' : 'Created'} “${ruleLabel(saved)}”.`,
        });
        return {};
      } catch (caught) {
        return { form: errorMessage(caught) };
      }
    },
    [],
  );

  const run = useCallback((rule: AlertRuleDto, action: () => Promise<PageNotice>) => {
    setBusyId(rule.id);
    setNotice(undefined);
    return action()
      .then(setNotice, (caught: unknown) =>
        setNotice({ kind: 'error', message: errorMessage(caught) }),
      )
      .finally(() => setBusyId(undefined));
  }, []);

  const togglePause = (rule: AlertRuleDto) =>
    run(rule, async () => {
      const updated = await api.updateAlertRule(rule.id, { paused: !rule.paused });
      setRules((current) => withRule(current, updated));
      return {
        kind: 'success',
        message: `${updated.paused ? 'Paused' : 'Resumed'} “${ruleLabel(updated)}”.`,
      };
    });

  const test = (rule: AlertRuleDto) =>
    run(rule, async () => {
      try {
        const sent = await api.testAlertRule(rule.id);
        setRules((current) => withRule(current, { ...rule, lastTestedAt: sent.sentAt }));
        return {
          kind: 'success',
          message: `Test email for “${ruleLabel(rule)}” sent to ${sent.to}. Test can be used again at ${formatDateTime(sent.nextTestAt)}.`,
        };
      } catch (caught) {
        if (caught instanceof ApiRequestError && caught.status === 429) {
          return { kind: 'warning', message: testRefused(rule, caught, testCooldownHours) };
        }
        throw caught;
      }
    });

  const remove = (rule: AlertRuleDto) =>
    run(rule, async () => {
      await api.deleteAlertRule(rule.id);
      setRules((current) => current.filter((entry) => entry.id !== rule.id));
      return { kind: 'success', message: `Deleted “${ruleLabel(rule)}”.` };
    });

  return { rules, busyId, notice, save, togglePause, test, remove };
}
