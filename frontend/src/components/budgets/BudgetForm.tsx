import { type FormEvent, useEffect, useRef, useState } from 'react';
import { BUDGET_PERIODS, MAX_BUDGET_NAME_LENGTH } from '#contracts/budgets-api.ts';
import { PROVIDER_IDS } from '#contracts/providers.ts';
import { SCOPE_KINDS } from '#contracts/scope.ts';
import type { Currency } from '#contracts/settings-api.ts';
import {
  ACTION_LABELS,
  type BudgetDraft,
  type BudgetFieldErrors,
  PERIOD_LABELS,
  SCOPE_LABELS,
  SCOPE_VALUE_HINTS,
  SCOPE_VALUE_LABELS,
} from '../../lib/budgets.ts';
import { currencySymbol } from '../../lib/format.ts';
import { providerName } from '../../lib/providers.ts';
import { FormActions } from '../FormActions.tsx';
import { describedBy, errorId, FieldError, FormField } from '../FormField.tsx';
import { Notice } from '../Notice.tsx';

interface BudgetFormProps {
  readonly mode: 'create' | 'edit';
  readonly initial: BudgetDraft;
  /** The account's currency: a new or edited limit is in it. */
  readonly currency: Currency;
  /** Free: only a budget for all requests. */
  readonly scopedBudgets: boolean;
  /** Sends the draft; answers the field errors to show (empty when it was saved). */
  readonly onSubmit: (draft: BudgetDraft) => Promise<BudgetFieldErrors>;
  readonly onCancel: () => void;
}

/** The draft being edited, the API's field errors, and whether a save is running. */
function useBudgetDraft(props: BudgetFormProps) {
  const [draft, setDraft] = useState(props.initial);
  const [errors, setErrors] = useState<BudgetFieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set =
    <K extends keyof BudgetDraft>(key: K) =>
    (value: BudgetDraft[K]) =>
      setDraft((current) => ({ ...current, [key]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    props.onSubmit(draft).then((found) => {
      setErrors(found);
      setBusy(false);
    });
  };
  return { draft, errors, busy, set, submit };
}

type DraftSetter = ReturnType<typeof useBudgetDraft>['set'];

interface DraftFieldsProps {
  readonly draft: BudgetDraft;
  readonly errors: BudgetFieldErrors;
  readonly set: DraftSetter;
}

/** The New / Edit budget form, with the API's messages per field. */
export function BudgetForm(props: BudgetFormProps) {
  const { mode, currency, scopedBudgets, onCancel } = props;
  const { draft, errors, busy, set, submit } = useBudgetDraft(props);
  const heading = useRef<HTMLHeadingElement>(null);

  // Keyboard and screen reader users land on the form when it opens.
  useEffect(() => heading.current?.focus(), []);

  return (
    <form
      className="form form--wide"
      onSubmit={submit}
      noValidate
      aria-labelledby="budget-form-heading"
    >
      <h2 id="budget-form-heading" ref={heading} tabIndex={-1}>
        {mode === 'create' ? 'New budget' : `Edit “${props.initial.name}”`}
      </h2>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      <FormField
        id="budget-name"
        label="Name"
        type="text"
        maxLength={MAX_BUDGET_NAME_LENGTH}
        autoComplete="off"
        value={draft.name}
        onValue={set('name')}
        error={errors.name}
      />
      <LimitField currency={currency} draft={draft} errors={errors} set={set} />
      <Select
        id="budget-period"
        label="Period"
        value={draft.period}
        options={BUDGET_PERIODS.map((period) => [period, PERIOD_LABELS[period]])}
        onValue={set('period')}
        error={errors.period}
      />
      <ScopeFields scopedBudgets={scopedBudgets} draft={draft} errors={errors} set={set} />
      <ActionFields draft={draft} errors={errors} set={set} />
      <FormActions
        busy={busy}
        submitLabel={mode === 'create' ? 'Create budget' : 'Save budget'}
        onCancel={onCancel}
      />
    </form>
  );
}

/** The limit, in the account's currency. */
function LimitField({
  currency,
  draft,
  errors,
  set,
}: DraftFieldsProps & { readonly currency: Currency }) {
  return (
    <div className="field">
      <label htmlFor="budget-limit">Limit</label>
      <div className="affixed">
        <span className="affixed__affix">{currencySymbol(currency)}</span>
        <input
          id="budget-limit"
          type="text"
          inputMode="decimal"
          autoComplete="off"
          value={draft.limit}
          onChange={(event) => set('limit')(event.target.value)}
          aria-invalid={errors.limit === undefined ? undefined : true}
          aria-describedby={describedBy(
            'budget-limit-hint',
            errors.limit !== undefined && errorId('budget-limit'),
          )}
        />
      </div>
      <span id="budget-limit-hint" className="field__hint">
        In {currency}, whole cents. Converted to USD at the latest reference rate.
      </span>
      <FieldError id="budget-limit" message={errors.limit} />
    </div>
  );
}

/** What the budget applies to: the kind of scope, then the provider or the value. */
function ScopeFields({
  scopedBudgets,
  draft,
  errors,
  set,
}: DraftFieldsProps & { readonly scopedBudgets: boolean }) {
  return (
    <>
      <Select
        id="budget-scope"
        label="Applies to"
        value={draft.scopeKind}
        options={SCOPE_KINDS.filter((kind) => scopedBudgets || kind === 'account').map((kind) => [
          kind,
          SCOPE_LABELS[kind],
        ])}
        onValue={set('scopeKind')}
        hint={
          scopedBudgets
            ? undefined
            : 'Budgets for one provider, model, requester or tag are part of Pro.'
        }
        error={
          draft.scopeKind === 'provider' || draft.scopeKind === 'account' ? errors.scope : undefined
        }
      />
      {draft.scopeKind === 'provider' && (
        <Select
          id="budget-provider"
          label="Provider"
          value={draft.provider}
          options={PROVIDER_IDS.map((provider) => [provider, providerName(provider)])}
          onValue={set('provider')}
        />
      )}
      {draft.scopeKind !== 'account' && draft.scopeKind !== 'provider' && (
        <FormField
          id="budget-scope-value"
          label={SCOPE_VALUE_LABELS[draft.scopeKind]}
          type="text"
          autoComplete="off"
          value={draft.scopeValue}
          onValue={set('scopeValue')}
          hint={SCOPE_VALUE_HINTS[draft.scopeKind]}
          error={errors.scope}
        />
      )}
    </>
  );
}

/** Block or notify near the limit, and (blocking) what to do with unpriced models. */
function ActionFields({ draft, errors, set }: DraftFieldsProps) {
  return (
    <>
      <Select
        id="budget-action"
        label="When the limit is near"
        value={draft.action}
        options={(['block', 'notify'] as const).map((action) => [action, ACTION_LABELS[action]])}
        onValue={set('action')}
        error={errors.action}
      />
      {draft.action === 'block' && (
        <Select
          id="budget-unpriced"
          label="Unpriced models"
          value={draft.unpriced}
          options={[
            ['block', 'Block: refuse requests whose cost Metrion cannot bound'],
            ['allow', 'Allow: let them through uncounted'],
          ]}
          onValue={set('unpriced')}
          error={errors.unpriced}
        />
      )}
    </>
  );
}

interface SelectProps<T extends string> {
  readonly id: string;
  readonly label: string;
  readonly value: T;
  readonly options: readonly (readonly [T, string])[];
  readonly onValue: (value: T) => void;
  readonly hint?: string | undefined;
  readonly error?: string | undefined;
}

/** A labelled `<select>` with an optional hint and error, like {@link FormField}. */
function Select<T extends string>({
  id,
  label,
  value,
  options,
  onValue,
  hint,
  error,
}: SelectProps<T>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value={value}
        onChange={(event) => onValue(event.target.value as T)}
        aria-invalid={error === undefined ? undefined : true}
        aria-describedby={describedBy(
          hint !== undefined && `${id}-hint`,
          error !== undefined && errorId(id),
        )}
      >
        {options.map(([option, text]) => (
          <option key={option} value={option}>
            {text}
          </option>
        ))}
      </select>
      {hint !== undefined && (
        <span id={`${id}-hint`} className="field__hint">
          {hint}
        </span>
      )}
      <FieldError id={id} message={error} />
    </div>
  );
}
