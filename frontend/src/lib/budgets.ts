import { type BudgetDto, createBudgetSchema, updateBudgetSchema } from '#contracts/budgets-api.ts';
import type { ProviderId } from '#contracts/providers.ts';
import type { BodyOf } from './api-client.ts';
import { type Checked, type FieldMessages, firstMessagePerField } from './form-errors.ts';
import { type ScopeKind, scopeValueText } from './scopes.ts';

/**
 * The Budgets page without React: what the budget form holds, how it becomes an API body checked
 * with the contract's own schemas (the page shows the API's messages before sending), and the
 * words for scopes, periods and actions.
 */

/** What the New/Edit budget form holds, as the inputs give it (text, not numbers). */
export interface BudgetDraft {
  readonly name: string;
  readonly limit: string;
  readonly period: BudgetDto['period'];
  readonly scopeKind: ScopeKind;
  /** The provider of a provider scope. */
  readonly provider: ProviderId;
  /** The model, requester or `key:value` tag of those scopes. */
  readonly scopeValue: string;
  readonly action: BudgetDto['action'];
  readonly unpriced: BudgetDto['unpriced'];
}

export type BudgetField = 'name' | 'limit' | 'period' | 'scope' | 'action' | 'unpriced';
export type BudgetFieldErrors = FieldMessages<BudgetField>;
const FIELDS: readonly BudgetField[] = ['name', 'limit', 'period', 'scope', 'action', 'unpriced'];

export const SCOPE_LABELS: Readonly<Record<ScopeKind, string>> = {
  account: 'All requests',
  provider: 'One provider',
  model: 'One model',
  requester: 'One requester',
  tag: 'One tag',
};

/** The label of the scope's text input. */
export const SCOPE_VALUE_LABELS: Readonly<
  Record<Exclude<ScopeKind, 'account' | 'provider'>, string>
> = { model: 'Model', requester: 'Requester', tag: 'Tag' };

/** What the scope's text input asks for. */
export const SCOPE_VALUE_HINTS: Readonly<
  Record<Exclude<ScopeKind, 'account' | 'provider'>, string>
> = {
  model: 'The model id the requests name, e.g. gpt-4o-mini.',
  requester: 'The x-metrion-user label, e.g. agent-7.',
  tag: 'key:value of an x-metrion-tag-<key> header, e.g. feature:search.',
};

export const PERIOD_LABELS: Readonly<Record<BudgetDto['period'], string>> = {
  day: 'Per day (resets 00:00 UTC)',
  month: 'Per month (resets on the 1st, 00:00 UTC)',
};

export const ACTION_LABELS: Readonly<Record<BudgetDto['action'], string>> = {
  block: 'Block: refuse requests that could cross the limit',
  notify: 'Notify: email at 90% and 100%, never refuse',
};

export function emptyDraft(): BudgetDraft {
  return {
    name: '',
    limit: '',
    period: 'month',
    scopeKind: 'account',
    provider: 'openai',
    scopeValue: '',
    action: 'block',
    unpriced: 'block',
  };
}

/** The Edit form of a budget. */
export function draftFromBudget(budget: BudgetDto): BudgetDraft {
  return {
    name: budget.name,
    limit: String(budget.limit),
    period: budget.period,
    scopeKind: budget.scope.kind,
    provider: budget.scope.kind === 'provider' ? budget.scope.provider : 'openai',
    // A provider scope's provider has a select of its own (`provider`), not the text input.
    scopeValue: budget.scope.kind === 'provider' ? '' : scopeValueText(budget.scope),
    action: budget.action,
    unpriced: budget.unpriced,
  };
}

/** The scope as the form states it (unchecked: the schema judges it). */
function scopeOf(draft: BudgetDraft): Record<string, unknown> {
  const value = draft.scopeValue.trim();
  switch (draft.scopeKind) {
    case 'account':
      return { kind: 'account' };
    case 'provider':
      return { kind: 'provider', provider: draft.provider };
    case 'model':
      return { kind: 'model', model: value };
    case 'requester':
      return { kind: 'requester', requester: value };
    case 'tag': {
      const at = value.indexOf(':');
      return at < 0
        ? { kind: 'tag', key: value, value: '' }
        : { kind: 'tag', key: value.slice(0, at), value: value.slice(at + 1) };
    }
  }
}

/** The typed limit: blank is missing, anything but a plain decimal is NaN. */
function limitOf(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

function candidate(draft: BudgetDraft): Record<string, unknown> {
  return {
    name: draft.name,
    limit: limitOf(draft.limit),
    period: draft.period,
    scope: scopeOf(draft),
    action: draft.action,
    unpriced: draft.unpriced,
  };
}

/** The New budget form checked with the API's `createBudgetSchema`. */
export function checkCreate(draft: BudgetDraft): Checked<BodyOf<'createBudget'>, BudgetField> {
  const parsed = createBudgetSchema.safeParse(candidate(draft));
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, errors: firstMessagePerField(parsed.error, FIELDS) };
}

/** The Edit form checked with `updateBudgetSchema` (every field is sent). */
export function checkUpdate(draft: BudgetDraft): Checked<BodyOf<'updateBudget'>, BudgetField> {
  const parsed = updateBudgetSchema.safeParse(candidate(draft));
  return parsed.success
    ? { ok: true, body: parsed.data }
    : { ok: false, errors: firstMessagePerField(parsed.error, FIELDS) };
}

/** The budget list with one budget replaced (by id) or added at the end. */
export function withBudget(budgets: readonly BudgetDto[], budget: BudgetDto): BudgetDto[] {
  return budgets.some((entry) => entry.id === budget.id)
    ? budgets.map((entry) => (entry.id === budget.id ? budget : entry))
    : [...budgets, budget];
}

/** The share of the limit spent, and reserved on top, each 0..1 for the bar. */
export function barShares(budget: BudgetDto): { spent: number; reserved: number } {
  const spent = Math.min(1, budget.current.percentUsed / 100);
  const reserved = budget.limit > 0 ? Number(budget.current.reserved) / budget.limit : 0;
  return { spent, reserved: Math.max(0, Math.min(1 - spent, reserved)) };
}

/** `2027-01-01 00:00 UTC`: budgets reset at UTC midnight, so the page says it in UTC. */
export function resetText(resetsAt: string): string {
  return `${resetsAt.slice(0, 10)} ${resetsAt.slice(11, 16)} UTC`;
}
