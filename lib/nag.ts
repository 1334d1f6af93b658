import { type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * Runs the AWS Solutions rule pack as a policy-validation plugin (cdk-nag 3): findings land in
 * `<outdir>/validation-report.json`, and an unacknowledged error fails synthesis.
 */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** A cdk-nag rule id, optionally narrowed to one finding: `AwsSolutions-IAM5[Resource::*]`. */
export type NagRuleId = `AwsSolutions-${string}`;

const MIN_REASON_LENGTH = 20;

/**
 * Acknowledges one rule on `scope` and everything below it. Call it next to the construct that
 * causes the finding, and say why the finding is acceptable, not what the rule says.
 * @throws Error when the reason is missing or too short to be a reason.
 */
export function acknowledge(scope: IConstruct, id: NagRuleId, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(
      `acknowledge(${scope.node.path}, ${id}) needs a reason of at least ${MIN_REASON_LENGTH} characters, got '${reason}'`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}
