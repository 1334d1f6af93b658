// The one place infra tests get a synthesized template and ask it questions: which logical id a
// resource has, what a function's role may do, which API Gateway methods sit on a path.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TABLES, type TableKey } from '#adapters/dynamodb/table-definitions.ts';
import {
  type EnvironmentConfig,
  parseEnvironmentConfig,
} from '../../lib/config/environment-config.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { buildStacks } from './synth.ts';

/** A resource as `Template.findResources` returns it. */
export type Resource = { Type: string; Properties: Record<string, unknown> } & Record<
  string,
  unknown
>;

/** One IAM policy statement of a synthesized policy. */
export interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A statement's actions as a list (a single action is a string in the template). */
export const actionsOf = (statement: Statement): string[] => [statement.Action].flat();

/** The logical id a `{ 'Fn::GetAtt': [id, attribute] }` or `{ Ref: id }` names, if any. */
export function logicalIdOf(value: unknown): string | undefined {
  const reference = value as { 'Fn::GetAtt'?: [string, string]; Ref?: string };
  return reference['Fn::GetAtt']?.[0] ?? reference.Ref;
}

/** Questions the infra tests ask of one stack's template. */
export class StackTemplate {
  readonly template: Template;

  constructor(template: Template) {
    this.template = template;
  }

  resources(type: string, properties: Record<string, unknown> = {}): Record<string, Resource> {
    return this.template.findResources(type, { Properties: properties }) as Record<
      string,
      Resource
    >;
  }

  /** The logical id of the one resource of `type` with these properties. */
  onlyLogicalId(type: string, properties: Record<string, unknown> = {}): string {
    const ids = Object.keys(this.resources(type, properties));
    if (ids.length !== 1) {
      throw new Error(`expected one ${type} like ${JSON.stringify(properties)}, found ${ids}`);
    }
    return ids[0] as string;
  }

  /** The logical id of the one function whose description starts with `descriptionPrefix`. */
  functionId(descriptionPrefix: string): string {
    return this.onlyLogicalId('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp(`^${descriptionPrefix}`),
    });
  }

  /** A resource's properties by logical id. */
  properties(type: string, id: string): Record<string, unknown> {
    const resource = this.resources(type)[id];
    if (resource === undefined) throw new Error(`no ${type} ${id}`);
    return resource.Properties;
  }

  /** A function's environment variables. */
  environmentOf(functionId: string): Record<string, unknown> {
    return (
      this.properties('AWS::Lambda::Function', functionId).Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;
  }

  /** The logical id of a function's execution role. */
  roleIdOf(functionId: string): string {
    return logicalIdOf(this.properties('AWS::Lambda::Function', functionId).Role) as string;
  }

  /** Every statement of every policy attached to a function's role. */
  roleStatements(functionId: string): Statement[] {
    const policies = this.resources('AWS::IAM::Policy', {
      Roles: [{ Ref: this.roleIdOf(functionId) }],
    });
    return Object.values(policies).flatMap(
      (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
  }

  /** The role's statements whose resources include the resource `logicalId` names. */
  statementsOn(functionId: string, logicalId: string): Statement[] {
    return this.roleStatements(functionId).filter((statement) =>
      [statement.Resource].flat().some((resource) => logicalIdOf(resource) === logicalId),
    );
  }

  /** The logical id of a table of `TABLES`. */
  tableId(key: TableKey): string {
    return this.onlyLogicalId('AWS::DynamoDB::GlobalTable', {
      TableName: Match.stringLikeRegexp(`-${TABLES[key].nameSuffix}$`),
    });
  }

  /** `logicalId -> /api/...` for every API Gateway resource, following ParentId. */
  apiResourcePaths(): Map<string, string> {
    const resources = this.resources('AWS::ApiGateway::Resource');
    const paths = new Map<string, string>();
    const pathOf = (id: string): string => {
      const known = paths.get(id);
      if (known !== undefined) return known;
      const { ParentId, PathPart } = (resources[id] as Resource).Properties as {
        ParentId: { Ref?: string };
        PathPart: string;
      };
      const parent = ParentId.Ref !== undefined && resources[ParentId.Ref] ? ParentId.Ref : '';
      const path = `${parent ? pathOf(parent) : ''}/${PathPart}`;
      paths.set(id, path);
      return path;
    };
    for (const id of Object.keys(resources)) pathOf(id);
    return paths;
  }

  /** The properties of the methods on the API Gateway resource with this full path. */
  methodsAt(path: string, httpMethod: string): Record<string, unknown>[] {
    const paths = this.apiResourcePaths();
    return Object.values(this.resources('AWS::ApiGateway::Method', { HttpMethod: httpMethod }))
      .filter((method) => paths.get(logicalIdOf(method.Properties.ResourceId) ?? '') === path)
      .map((method) => method.Properties);
  }

  /** The alarm named `Metrion-<env>-<id>`. */
  alarm(id: string): Record<string, unknown> {
    const [alarm, ...others] = Object.values(
      this.resources('AWS::CloudWatch::Alarm', {
        AlarmName: Match.stringLikeRegexp(`^Metrion-[a-z0-9-]+-${id}$`),
      }),
    );
    if (alarm === undefined || others.length > 0) throw new Error(`expected one alarm ${id}`);
    return alarm.Properties;
  }
}

/**
 * Production values that pass the launch check, injected through the same schema as
 * `environments.ts`: prod as an operator would fill it in, with a custom domain in a hosted
 * zone. The domain is for synthesis only.
 */
export const LAUNCH_READY_PROD = {
  ...ENVIRONMENTS.prod,
  account: '123456789012',
  dashboardDomain: 'app.metrion-launch.net',
  hostedZone: { id: 'Z04417203LAUNCH7TEST', name: 'metrion-launch.net' },
  email: { sender: 'notifications@metrion-launch.net' },
  billing: { stripeProPriceId: 'price_1QLaunchProMonthly', proMonthlyPriceUsd: '29.00' },
  alarmEmail: 'oncall@metrion-launch.net',
} as const;

/** The config the tests synthesize for an environment name: dev as it is, prod filled in. */
export function testEnvironment(name: 'dev' | 'prod'): EnvironmentConfig {
  return parseEnvironmentConfig(name, name === 'prod' ? LAUNCH_READY_PROD : ENVIRONMENTS[name]);
}

export interface EnvironmentTemplates {
  readonly config: EnvironmentConfig;
  /** `Metrion-<env>`. */
  readonly main: StackTemplate;
  /** `Metrion-<env>-edge` (us-east-1). */
  readonly edge: StackTemplate;
  /** `Metrion-<env>-email`. */
  readonly email: StackTemplate;
}

const cache = new Map<string, EnvironmentTemplates>();

/**
 * The templates of an environment (`'dev'`, `'prod'`, or any config), synthesized once per test
 * file without bundling.
 */
export function environmentTemplates(
  environment: 'dev' | 'prod' | EnvironmentConfig,
): EnvironmentTemplates {
  const config = typeof environment === 'string' ? testEnvironment(environment) : environment;
  const key = JSON.stringify(config);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const stacks = buildStacks(config);
  const templates = {
    config,
    main: new StackTemplate(stacks.main),
    edge: new StackTemplate(stacks.edge),
    email: new StackTemplate(stacks.email),
  };
  cache.set(key, templates);
  return templates;
}

/** The main stack's template of an environment (see {@link environmentTemplates}). */
export function mainTemplate(environment: 'dev' | 'prod' | EnvironmentConfig): StackTemplate {
  return environmentTemplates(environment).main;
}
