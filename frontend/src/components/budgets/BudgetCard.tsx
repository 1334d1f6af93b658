import type { BudgetDto } from '#contracts/budgets-api.ts';
import { barShares, resetText } from '../../lib/budgets.ts';
import { formatCount, formatMoneyDecimal, shareWidth } from '../../lib/format.ts';
import { scopeText } from '../../lib/scopes.ts';

export interface BudgetActions {
  readonly onEdit: (budget: BudgetDto) => void;
  readonly onPause: (budget: BudgetDto) => void;
  readonly onResume: (budget: BudgetDto) => void;
  readonly onDelete: (budget: BudgetDto) => void;
}

interface BudgetCardProps extends BudgetActions {
  readonly budget: BudgetDto;
  /** An action on this budget is running. */
  readonly busy: boolean;
}

/** Where the bar stands: under 90%, at 90%, at the limit. */
function level(percentUsed: number, warningPercent: number): 'ok' | 'warning' | 'reached' {
  if (percentUsed >= 100) return 'reached';
  return percentUsed >= warningPercent ? 'warning' : 'ok';
}

/**
 * One budget: what it applies to, spent and reserved against its limit as a bar, when it
 * resets, what it refused this period, and its actions.
 */
export function BudgetCard(props: BudgetCardProps & { readonly warningPercent: number }) {
  const { budget } = props;
  const shares = barShares(budget);
  return (
    <li className="budget" data-budget-id={budget.id} data-paused={budget.paused || undefined}>
      <div className="budget__head">
        <h3 className="budget__name">{budget.name}</h3>
        <span className={`badge budget__action budget__action--${budget.action}`}>
          {budget.action === 'block' ? 'Blocks' : 'Notifies'}
        </span>
        {budget.paused && <span className="badge budget__paused">Paused</span>}
      </div>
      <p className="budget__scope muted">
        {scopeText(budget.scope)} · per {budget.period} (UTC)
      </p>
      {/* The figures below say the same in words. */}
      <div className="budget__bar" aria-hidden="true">
        <span
          className="budget__spent"
          data-level={level(budget.current.percentUsed, props.warningPercent)}
          style={{ width: shareWidth(shares.spent) }}
        />
        <span className="budget__reserved" style={{ width: shareWidth(shares.reserved) }} />
      </div>
      <BudgetFigures budget={budget} />
      <BudgetCardActions {...props} />
    </li>
  );
}

/** Spent, reserved, limit, reset time and refusals of the current period. */
function BudgetFigures({ budget }: { readonly budget: BudgetDto }) {
  const { current, currency } = budget;
  const money = (amount: string) => formatMoneyDecimal(amount, currency);
  return (
    <dl className="budget__figures">
      <div>
        <dt>Spent</dt>
        <dd data-spent>
          {money(current.spent)} <span className="muted">({current.percentUsed}%)</span>
        </dd>
      </div>
      <div>
        <dt>Reserved</dt>
        <dd data-reserved>{money(current.reserved)}</dd>
      </div>
      <div>
        <dt>Limit</dt>
        <dd data-limit>{money(budget.limit.toFixed(2))}</dd>
      </div>
      <div>
        <dt>Resets</dt>
        <dd>
          <time dateTime={current.resetsAt}>{resetText(current.resetsAt)}</time>
        </dd>
      </div>
      <div>
        <dt>Blocked this period</dt>
        <dd data-blocked>{formatCount(current.blocked)}</dd>
      </div>
    </dl>
  );
}

/** Edit, Pause or Resume, and Delete; all disabled while an action on the budget runs. */
function BudgetCardActions(props: BudgetCardProps) {
  const { budget, busy } = props;
  return (
    <div className="row-actions budget__actions">
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={() => props.onEdit(budget)}
        disabled={busy}
        aria-label={`Edit ${budget.name}`}
      >
        Edit
      </button>
      <button
        type="button"
        className="button button--secondary button--small"
        onClick={() => (budget.paused ? props.onResume(budget) : props.onPause(budget))}
        disabled={busy}
        aria-label={`${budget.paused ? 'Resume' : 'Pause'} ${budget.name}`}
      >
        {budget.paused ? 'Resume' : 'Pause'}
      </button>
      <button
        type="button"
        className="button button--danger-outline button--small"
        onClick={() => props.onDelete(budget)}
        disabled={busy}
        aria-label={`Delete ${budget.name}`}
      >
        Delete
      </button>
    </div>
  );
}
