import type { AlertRuleDto } from '#contracts/alerts-api.ts';
import { AlertRuleRow, type RuleActions } from './AlertRuleRow.tsx';

interface AlertRulesTableProps extends RuleActions {
  readonly rules: readonly AlertRuleDto[];
  /** The rule an action is running on. */
  readonly busyId: string | undefined;
}

/** The account's rules as a table, or a line saying there are none yet. */
export function AlertRulesTable({ rules, busyId, ...actions }: AlertRulesTableProps) {
  if (rules.length === 0) {
    return <p className="empty">No alert rules yet. Create one with New alert.</p>;
  }
  return (
    <div className="table-scroll">
      <table className="table table--alerts">
        <caption className="visually-hidden">Alert rules</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Type</th>
            <th scope="col">Now / threshold</th>
            <th scope="col">Scope</th>
            <th scope="col">State</th>
            <th scope="col">Last fired</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rules.map((rule) => (
            <AlertRuleRow key={rule.id} rule={rule} busy={busyId === rule.id} {...actions} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
