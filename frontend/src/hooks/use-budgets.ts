import { useCallback, useState } from 'react';
import type { BudgetDto } from '#contracts/budgets-api.ts';
import { api, errorMessage } from '../lib/api-client.ts';
import {
  type BudgetDraft,
  type BudgetFieldErrors,
  checkCreate,
  checkUpdate,
  withBudget,
} from '../lib/budgets.ts';
import type { PageNotice } from './use-alert-rules.ts';

type Send = { readonly errors: BudgetFieldErrors } | { readonly request: () => Promise<BudgetDto> };

function sendCreate(draft: BudgetDraft): Send {
  const checked = checkCreate(draft);
  return checked.ok ? { request: () => api.createBudget(checked.body) } : checked;
}

function sendUpdate(draft: BudgetDraft, budget: BudgetDto): Send {
  const checked = checkUpdate(draft);
  return checked.ok ? { request: () => api.updateBudget(budget.id, checked.body) } : checked;
}

/**
 * The Budgets page's budgets and what the page does with them through the API: create and edit
 * (checked with the contract's schemas first), pause/resume and delete. One action runs at a
 * time (`busyId`); its outcome is the page `notice`.
 */
export function useBudgets(initial: readonly BudgetDto[]) {
  const [budgets, setBudgets] = useState<readonly BudgetDto[]>(initial);
  const [busyId, setBusyId] = useState<string>();
  const [notice, setNotice] = useState<PageNotice>();

  /** Creates (no `editing`) or updates a budget; answers the field errors, empty once saved. */
  const save = useCallback(
    async (draft: BudgetDraft, editing?: BudgetDto): Promise<BudgetFieldErrors> => {
      const send = editing ? sendUpdate(draft, editing) : sendCreate(draft);
      if ('errors' in send) return send.errors;
      try {
        const saved = await send.request();
        setBudgets((current) => withBudget(current, saved));
        setNotice({
          kind: 'success',
          message: `${editing ? 'Saved' : 'Created'} “${saved.name}”.`,
        });
        return {};
      } catch (caught) {
        return { form: errorMessage(caught) };
      }
    },
    [],
  );

  const run = useCallback((budget: BudgetDto, action: () => Promise<PageNotice>) => {
    setBusyId(budget.id);
    setNotice(undefined);
    return action()
      .then(setNotice, (caught: unknown) =>
        setNotice({ kind: 'error', message: errorMessage(caught) }),
      )
      .finally(() => setBusyId(undefined));
  }, []);

  const setPaused = (budget: BudgetDto, paused: boolean) =>
    run(budget, async () => {
      const updated = await api.updateBudget(budget.id, { paused });
      setBudgets((current) => withBudget(current, updated));
      return {
        kind: 'success',
        message: `${paused ? 'Paused' : 'Resumed'} “${updated.name}”.`,
      };
    });

  const remove = (budget: BudgetDto) =>
    run(budget, async () => {
      await api.deleteBudget(budget.id);
      setBudgets((current) => current.filter((entry) => entry.id !== budget.id));
      return { kind: 'success', message: `Deleted “${budget.name}”.` };
    });

  return { budgets, busyId, notice, save, setPaused, remove };
}
