import { type FormEvent, useEffect, useRef, useState } from 'react';
import type { AlertChannelDto } from '#contracts/alert-channels-api.ts';
import type { AlertRuleType } from '#contracts/alerts-api.ts';
import type { ProviderId } from '#contracts/providers.ts';
import type { Currency } from '#contracts/settings-api.ts';
import type { FieldErrors, RuleDraft } from '../../lib/alert-rules.ts';
import { ALERT_TYPE_LABELS } from '../../lib/alert-rules.ts';
import { FormActions } from '../FormActions.tsx';
import { FormField } from '../FormField.tsx';
import { Notice } from '../Notice.tsx';
import { BudgetPeriodField } from './BudgetPeriodField.tsx';
import { ChannelsField } from './ChannelsField.tsx';
import { RuleTypeField } from './RuleTypeField.tsx';
import { ScopeField } from './ScopeField.tsx';
import { SpikeFields } from './SpikeFields.tsx';
import { ErrorRateUnitField, ThresholdField } from './ThresholdField.tsx';

interface AlertRuleFormProps {
  /** New Alert picks the type; Edit shows the rule's (a type cannot change). */
  readonly mode: 'create' | 'edit';
  readonly initial: RuleDraft;
  readonly currency: Currency;
  /** The channels a rule can notify (email first). */
  readonly channels: readonly AlertChannelDto[];
  /** Edit of a rule from before scopes: its provider list. */
  readonly legacyProviders?: readonly ProviderId[] | undefined;
  /**
   * Checks the draft with the contract's schema and sends it; answers the field errors to show
   * (empty when it was saved).
   */
  readonly onSubmit: (draft: RuleDraft) => Promise<FieldErrors>;
  readonly onCancel: () => void;
}

/** Sets one field of the draft. */
type DraftSetter = <K extends keyof RuleDraft>(key: K) => (value: RuleDraft[K]) => void;

/** The draft being edited, and its submission: the field errors the answer names. */
function useRuleDraft(initial: RuleDraft, onSubmit: AlertRuleFormProps['onSubmit']) {
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  const set: DraftSetter =
    <K extends keyof RuleDraft>(key: K) =>
    (value: RuleDraft[K]) =>
      setDraft((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    onSubmit(draft).then((found) => {
      setErrors(found);
      setBusy(false);
    });
  };
  return { draft, errors, busy, set, submit };
}

/** What the rule's type adds: error-rate unit, threshold, budget period, spike metric. */
function TypeFields(props: {
  draft: RuleDraft;
  set: DraftSetter;
  errors: FieldErrors;
  currency: Currency;
}) {
  const { draft, set, errors, currency } = props;
  return (
    <>
      {draft.type === 'error_rate' && (
        <ErrorRateUnitField value={draft.unit} onValue={set('unit')} error={errors.unit} />
      )}
      <ThresholdField
        type={draft.type}
        unit={draft.unit}
        value={draft.threshold}
        onValue={set('threshold')}
        currency={currency}
        error={errors.threshold}
      />
      {draft.type === 'budget' && (
        <BudgetPeriodField
          kind={draft.periodKind}
          onKind={set('periodKind')}
          since={draft.since}
          onSince={set('since')}
          error={errors.period}
        />
      )}
      {draft.type === 'spike' && (
        <SpikeFields
          metric={draft.metric}
          onMetric={set('metric')}
          minimum={draft.minimum}
          onMinimum={set('minimum')}
          currency={currency}
          errors={{ metric: errors.metric, minimum: errors.minimum }}
        />
      )}
    </>
  );
}

/** The New Alert / Edit form: the fields each type needs, with the API's messages per field. */
export function AlertRuleForm({
  mode,
  initial,
  currency,
  channels,
  legacyProviders,
  onSubmit,
  onCancel,
}: AlertRuleFormProps) {
  const { draft, errors, busy, set, submit } = useRuleDraft(initial, onSubmit);
  const heading = useRef<HTMLHeadingElement>(null);

  // Keyboard and screen reader users land on the form when it opens.
  useEffect(() => heading.current?.focus(), []);

  const title =
    mode === 'create' ? 'New alert' : `Edit ${ALERT_TYPE_LABELS[draft.type].toLowerCase()} alert`;
  return (
    <form
      className="form form--wide"
      onSubmit={submit}
      noValidate
      aria-labelledby="rule-form-heading"
    >
      <h2 id="rule-form-heading" ref={heading} tabIndex={-1}>
        {title}
      </h2>
      {errors.form && <Notice kind="error">{errors.form}</Notice>}
      {mode === 'create' && (
        <RuleTypeField
          value={draft.type}
          onValue={(type: AlertRuleType) => set('type')(type)}
          error={errors.type}
        />
      )}
      <FormField
        id="rule-name"
        label="Name (optional)"
        type="text"
        maxLength={80}
        autoComplete="off"
        value={draft.name}
        onValue={set('name')}
        error={errors.name}
      />
      <TypeFields draft={draft} set={set} errors={errors} currency={currency} />
      <ScopeField
        kind={draft.scopeKind}
        onKind={set('scopeKind')}
        value={draft.scopeValue}
        onValue={set('scopeValue')}
        legacyProviders={legacyProviders}
        error={errors.scope}
      />
      <ChannelsField
        channels={channels}
        value={draft.channels}
        onValue={set('channels')}
        error={errors.channels}
      />
      <FormActions
        busy={busy}
        submitLabel={mode === 'create' ? 'Create alert' : 'Save alert'}
        onCancel={onCancel}
      />
    </form>
  );
}
