import type { AlertRuleDto } from '#contracts/alerts-api.ts';
import { ALERT_TYPE_LABELS, lastFiring, ruleLabel, scopeText } from '../../lib/alert-rules.ts';
import { formatBudgetPeriod, formatDateTime, formatRowTime } from '../../lib/format.ts';
import { AlertStateBadge } from './AlertStateBadge.tsx';
import { CurrentValue } from './CurrentValue.tsx';

export interface RuleActions {
  readonly onEdit: (rule: AlertRuleDto) => void;
  readonly onTogglePause: (rule: AlertRuleDto) => void;
  readonly onTest: (rule: AlertRuleDto) => void;
  readonly onDelete: (rule: AlertRuleDto) => void;
}

interface AlertRuleRowProps extends RuleActions {
  readonly rule: AlertRuleDto;
  /** An action on this rule is running. */
  readonly busy: boolean;
}

/**
 * One rule in the list: what it watches, its figure now against its threshold, its state, when
 * it last fired, and its actions.
 */
export function AlertRuleRow({
  rule,
  busy,
  onEdit,
  onTogglePause,
  onTest,
  onDelete,
}: AlertRuleRowProps) {
  const label = ruleLabel(rule);
  const fired = lastFiring(rule);
  return (
    <tr data-rule-id={rule.id}>
      <th scope="row">{rule.name ?? <span className="muted">{label}</span>}</th>
      <td className="nowrap">{ALERT_TYPE_LABELS[rule.type]}</td>
      <td>
        <CurrentValue rule={rule} />
        {rule.period && <span className="cell-note">{formatBudgetPeriod(rule.period)}</span>}
      </td>
      <td className="cell-scope">{scopeText(rule)}</td>
      <td>
        <AlertStateBadge state={rule.state} />
      </td>
      <td className="nowrap">
        {fired ? (
          <>
            <time dateTime={fired.at} title={formatDateTime(fired.at)}>
              {formatRowTime(fired.at)}
            </time>
            <span className="cell-note">{fired.level}</span>
          </>
        ) : (
          <span className="muted">Never</span>
        )}
      </td>
      <td>
        <div className="row-actions">
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => onEdit(rule)}
            disabled={busy}
            aria-label={`Edit ${label}`}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => onTogglePause(rule)}
            disabled={busy}
            aria-label={`${rule.paused ? 'Resume' : 'Pause'} ${label}`}
          >
            {rule.paused ? 'Resume' : 'Pause'}
          </button>
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={() => onTest(rule)}
            disabled={busy}
            aria-label={`Test ${label}`}
          >
            Test
          </button>
          <button
            type="button"
            className="button button--danger-outline button--small"
            onClick={() => onDelete(rule)}
            disabled={busy}
            aria-label={`Delete ${label}`}
          >
            Delete
          </button>
        </div>
      </td>
    </tr>
  );
}
