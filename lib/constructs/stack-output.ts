import { CfnOutput } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * A stack output under a fixed key (one per stack), so the README's commands and
 * `aws cloudformation describe-stacks` can name it: `--query "Stacks[0].Outputs[?OutputKey=='UserPoolId']"`.
 */
export function stackOutput(
  scope: Construct,
  key: string,
  value: string,
  description: string,
): CfnOutput {
  const output = new CfnOutput(scope, key, { value, description });
  output.overrideLogicalId(key);
  return output;
}
