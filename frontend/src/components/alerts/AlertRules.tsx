import { useRef, useState } from 'react';
import type { AlertChannelDto } from '#contracts/alert-channels-api.ts';
import type { AlertRuleDto, AlertsListDto } from '#contracts/alerts-api.ts';
import type { Currency } from '#contracts/settings-api.ts';
import { useAlertRules } from '../../hooks/use-alert-rules.ts';
import { draftFromRule, emptyDraft, type RuleDraft, ruleLabel } from '../../lib/alert-rules.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Notice } from '../Notice.tsx';
import { AlertPolicy } from './AlertPolicy.tsx';
import { AlertRuleForm } from './AlertRuleForm.tsx';
import { AlertRulesTable } from './AlertRulesTable.tsx';

interface AlertRulesProps {
  readonly list: AlertsListDto;
  /** The account's currency: budgets are set in it. */
  readonly currency: Currency;
  /** The channels rules can notify. */
  readonly channels: readonly AlertChannelDto[];
}

type Editor = { readonly mode: 'create' } | { readonly mode: 'edit'; readonly rule: AlertRuleDto };

/**
 * The open New alert or Edit form. Closing it (saved or cancelled) returns focus to New alert.
 */
function useRuleEditor(save: ReturnType<typeof useAlertRules>['save']) {
  const [editor, setEditor] = useState<Editor>();
  const newButton = useRef<HTMLButtonElement>(null);
  const closeEditor = () => {
    setEditor(undefined);
    // The form is gone: give focus back to where a keyboard user goes next.
    requestAnimationFrame(() => newButton.current?.focus());
  };
  const submit = async (draft: RuleDraft) => {
    const errors = await save(draft, editor?.mode === 'edit' ? editor.rule : undefined);
    if (Object.keys(errors).length === 0) closeEditor();
    return errors;
  };
  return { editor, setEditor, newButton, closeEditor, submit };
}

/** Pro: the rule list with New alert, Edit, Pause/Resume, Test and Delete (confirmed). */
export function AlertRules({ list, currency, channels }: AlertRulesProps) {
  const { rules, busyId, notice, save, togglePause, test, remove } = useAlertRules(
    list.rules,
    list.windows.testCooldownHours,
  );
  const { editor, setEditor, newButton, closeEditor, submit } = useRuleEditor(save);
  const [pendingDelete, setPendingDelete] = useState<AlertRuleDto>();
  const full = rules.length >= list.windows.maxRules;

  const confirmDelete = () => {
    if (!pendingDelete) return;
    remove(pendingDelete).finally(() => setPendingDelete(undefined));
  };

  return (
    <>
      <section className="card" aria-labelledby="alert-rules-heading">
        <div className="card__header">
          <h2 id="alert-rules-heading">Alert rules</h2>
          <button
            type="button"
            className="button button--small"
            ref={newButton}
            disabled={editor !== undefined || full}
            onClick={() => setEditor({ mode: 'create' })}
          >
            New alert
          </button>
        </div>
        {full && (
          <p className="card__hint">
            You have {list.windows.maxRules} rules, the most an account can have. Delete one to add
            another.
          </p>
        )}
        {notice && <Notice kind={notice.kind}>{notice.message}</Notice>}
        {editor && (
          <AlertRuleForm
            key={editor.mode === 'edit' ? editor.rule.id : 'new'}
            mode={editor.mode}
            initial={editor.mode === 'edit' ? draftFromRule(editor.rule) : emptyDraft()}
            currency={currency}
            channels={channels}
            legacyProviders={editor.mode === 'edit' ? editor.rule.providers : undefined}
            onSubmit={submit}
            onCancel={closeEditor}
          />
        )}
        <AlertRulesTable
          rules={rules}
          busyId={busyId}
          onEdit={(rule) => setEditor({ mode: 'edit', rule })}
          onTogglePause={togglePause}
          onTest={test}
          onDelete={setPendingDelete}
        />
      </section>
      <AlertPolicy windows={list.windows} />
      <ConfirmDialog
        open={pendingDelete !== undefined}
        title={`Delete “${pendingDelete ? ruleLabel(pendingDelete) : ''}”?`}
        confirmLabel="Delete alert"
        busy={pendingDelete !== undefined && busyId === pendingDelete.id}
        onConfirm={confirmDelete}
        onCancel={() => setPendingDelete(undefined)}
      >
        <p>The rule stops watching your usage and sends no more notices. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
