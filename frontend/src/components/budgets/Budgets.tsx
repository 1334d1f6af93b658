import { useRef, useState } from 'react';
import type { BudgetDto, BudgetsListDto } from '#contracts/budgets-api.ts';
import { useBudgets } from '../../hooks/use-budgets.ts';
import { type BudgetDraft, draftFromBudget, emptyDraft } from '../../lib/budgets.ts';
import { formatPlan } from '../../lib/format.ts';
import { ConfirmDialog } from '../ConfirmDialog.tsx';
import { Notice } from '../Notice.tsx';
import { BudgetCard } from './BudgetCard.tsx';
import { BudgetForm } from './BudgetForm.tsx';

type Editor = { readonly mode: 'create' } | { readonly mode: 'edit'; readonly budget: BudgetDto };
type Pending = { readonly action: 'pause' | 'delete'; readonly budget: BudgetDto };

/** The budgets, the open form or confirmation, and the actions that open and close them. */
function useBudgetsPage(list: BudgetsListDto) {
  const budgetsState = useBudgets(list.budgets);
  const { save, setPaused, remove } = budgetsState;
  const [editor, setEditor] = useState<Editor>();
  const [pending, setPending] = useState<Pending>();
  const newButton = useRef<HTMLButtonElement>(null);

  const closeEditor = () => {
    setEditor(undefined);
    requestAnimationFrame(() => newButton.current?.focus());
  };
  const submit = async (draft: BudgetDraft) => {
    const errors = await save(draft, editor?.mode === 'edit' ? editor.budget : undefined);
    if (Object.keys(errors).length === 0) closeEditor();
    return errors;
  };
  const confirm = () => {
    if (!pending) return;
    const done =
      pending.action === 'delete' ? remove(pending.budget) : setPaused(pending.budget, true);
    done.finally(() => setPending(undefined));
  };
  return {
    ...budgetsState,
    editor,
    setEditor,
    pending,
    setPending,
    newButton,
    closeEditor,
    submit,
    confirm,
  };
}

/** The budget list with New budget, Edit, Pause/Resume and Delete (pause and delete confirmed). */
export function Budgets({ list }: { readonly list: BudgetsListDto }) {
  const page = useBudgetsPage(list);
  const { budgets, busyId, notice, setPaused, editor, setEditor, pending, setPending } = page;
  const { allowance } = list;
  const full = budgets.length >= allowance.maxBudgets;

  return (
    <>
      <section className="card" aria-labelledby="budgets-heading">
        <div className="card__header">
          <h2 id="budgets-heading">Budgets</h2>
          <button
            type="button"
            className="button button--small"
            ref={page.newButton}
            disabled={editor !== undefined || full}
            onClick={() => setEditor({ mode: 'create' })}
          >
            New budget
          </button>
        </div>
        {full && <AllowanceReached allowance={allowance} />}
        {notice && <Notice kind={notice.kind}>{notice.message}</Notice>}
        {editor && (
          <BudgetForm
            key={editor.mode === 'edit' ? editor.budget.id : 'new'}
            mode={editor.mode}
            initial={editor.mode === 'edit' ? draftFromBudget(editor.budget) : emptyDraft()}
            currency={list.currency}
            scopedBudgets={allowance.scopedBudgets}
            onSubmit={page.submit}
            onCancel={page.closeEditor}
          />
        )}
        {budgets.length === 0 ? (
          <NoBudgets
            list={list}
            onCreate={editor === undefined ? () => setEditor({ mode: 'create' }) : undefined}
          />
        ) : (
          <ul className="budgets">
            {budgets.map((budget) => (
              <BudgetCard
                key={budget.id}
                budget={budget}
                busy={busyId === budget.id}
                warningPercent={list.warningPercent}
                onEdit={(chosen) => setEditor({ mode: 'edit', budget: chosen })}
                onPause={(chosen) => setPending({ action: 'pause', budget: chosen })}
                onResume={(chosen) => setPaused(chosen, false)}
                onDelete={(chosen) => setPending({ action: 'delete', budget: chosen })}
              />
            ))}
          </ul>
        )}
      </section>
      <ConfirmPending
        pending={pending}
        busy={pending !== undefined && busyId === pending.budget.id}
        onConfirm={page.confirm}
        onCancel={() => setPending(undefined)}
      />
    </>
  );
}

/** Why New budget is disabled: the plan's number of budgets is reached. */
function AllowanceReached({ allowance }: { readonly allowance: BudgetsListDto['allowance'] }) {
  return (
    <p className="card__hint">
      {formatPlan(allowance.plan)} includes {allowance.maxBudgets}{' '}
      {allowance.maxBudgets === 1 ? 'budget' : 'budgets'}.{' '}
      {allowance.plan === 'free'
        ? 'Upgrade under Settings > Plan for up to 20, scoped to a provider, model, requester or tag.'
        : 'Delete one to add another.'}
    </p>
  );
}

/** What a budget does and how to start, while there is none. */
function NoBudgets({
  list,
  onCreate,
}: {
  readonly list: BudgetsListDto;
  /** Absent while the form is open. */
  readonly onCreate: (() => void) | undefined;
}) {
  return (
    <div className="empty budgets-empty" data-empty-budgets>
      <p>
        <strong>No budgets yet.</strong> A budget caps what your requests may cost per UTC day or
        month, in {list.currency}.
      </p>
      <ul>
        <li>
          <strong>Block</strong> refuses a request that could cross the limit before the provider is
          paid: HTTP 402 <code>budget_exceeded</code>, listed in Logs as blocked.
        </li>
        <li>
          <strong>Notify</strong> lets every request through and emails you at {list.warningPercent}
          % and 100%.
        </li>
      </ul>
      <p>
        Start with one for all requests, e.g. 50 a month.
        {list.allowance.scopedBudgets
          ? ' Then add budgets for one provider, model, requester or tag (up to 20).'
          : ' Pro adds budgets for one provider, model, requester or tag.'}
      </p>
      {onCreate !== undefined && (
        <button type="button" className="button" onClick={onCreate}>
          Create your first budget
        </button>
      )}
    </div>
  );
}

/** Asks before a pause or a delete, saying what it does to this budget. */
function ConfirmPending({
  pending,
  busy,
  onConfirm,
  onCancel,
}: {
  readonly pending: Pending | undefined;
  readonly busy: boolean;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      open={pending !== undefined}
      title={`${pending?.action === 'delete' ? 'Delete' : 'Pause'} “${pending?.budget.name ?? ''}”?`}
      confirmLabel={pending?.action === 'delete' ? 'Delete budget' : 'Pause budget'}
      busy={busy}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>
        {pending?.action === 'delete'
          ? 'The budget stops checking and counting requests, and its figures are gone. This cannot be undone.'
          : pending?.budget.action === 'block'
            ? 'Requests it would refuse go through until you resume it; what they cost still counts when it is resumed this period.'
            : 'It sends no emails until you resume it.'}
      </p>
    </ConfirmDialog>
  );
}
