import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '#contracts/api-routes.ts';
import { channelSecretContext } from '#core/alerts/channels/alert-channel.ts';
import {
  accountDataKeyContext,
  metrionKeyContext,
  providerKeyContext,
} from '#core/vault/secret-vault.ts';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { ENVIRONMENTS } from '../../lib/config/environments.ts';
import { USER_POOL_REQUESTS_PER_IP_PER_5_MINUTES } from '../../lib/constructs/auth.ts';
import { removeOutdirs } from './synth.ts';
import { actionsOf, environmentTemplates, mainTemplate } from './template.ts';

afterAll(removeOutdirs);

const { main: dev, email: devEmail } = environmentTemplates('dev');
const prod = mainTemplate('prod');

const dashboardApiFunctionId = dev.functionId('Metrion dashboard API');
const userPoolId = dev.onlyLogicalId('AWS::Cognito::UserPool');
const clientId = dev.onlyLogicalId('AWS::Cognito::UserPoolClient');

describe('the rename from "settings" to "dashboard API"', () => {
  // Logical ids synthesized before the rename: a changed id would make CloudFormation replace
  // the function, its role and its log group (losing the logs) on the next deploy.
  it.each([
    ['AWS::Lambda::Function', 'SettingsFunction532B466E'],
    ['AWS::IAM::Role', 'SettingsFunctionRole79CADA3A'],
    ['AWS::IAM::Policy', 'SettingsFunctionRoleDefaultPolicyB3A7C92E'],
    ['AWS::Logs::LogGroup', 'SettingsFunctionLogGroup914DB4FA'],
  ])('keeps the %s logical id %s', (type, logicalId) => {
    expect(dev.resources(type)).toHaveProperty([logicalId]);
  });

  it('is the function those ids name', () => {
    expect(dashboardApiFunctionId).toBe('SettingsFunction532B466E');
  });
});

describe('Auth (Cognito user pool)', () => {
  it('signs in with email and password, lets users sign up, and verifies the email by code', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolName: 'metrion-dev',
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      UsernameConfiguration: { CaseSensitive: false },
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('requires strong passwords and enforces threat protection (Plus plan)', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      Policies: {
        PasswordPolicy: {
          MinimumLength: 12,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it.each([
    ['dev', dev, 'Delete', 'INACTIVE'],
    ['prod', prod, 'Retain', 'ACTIVE'],
  ] as const)(
    '%s: the pool is stateful: %s on removal, deletion protection %s',
    (_, template, policy, protection) => {
      template.template.allResources('AWS::Cognito::UserPool', {
        DeletionPolicy: policy,
        UpdateReplacePolicy: policy,
      });
      template.template.hasResourceProperties('AWS::Cognito::UserPool', {
        DeletionProtection: protection,
      });
    },
  );

  it('offers an authenticator app (TOTP) as an optional second factor, never SMS', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      SmsConfiguration: Match.absent(),
    });
  });

  it("sends its emails through SES from the sender's verified domain and configuration set", () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: `Metrion <${ENVIRONMENTS.dev.email.sender}>`,
        SourceArn: 'arn:aws:ses:eu-central-1:111111111111:identity/dev.metrion.example',
        ConfigurationSet: 'metrion-dev',
      },
    });
    devEmail.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'dev.metrion.example',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('sits behind a regional web ACL: IP reputation and a per-IP rate limit', () => {
    const aclId = dev.onlyLogicalId('AWS::WAFv2::WebACL', { Scope: 'REGIONAL' });
    dev.template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::GetAtt': [userPoolId, 'Arn'] },
      WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] },
    });
    expect(JSON.stringify(dev.properties('AWS::WAFv2::WebACL', aclId).Rules)).toContain(
      `"Limit":${USER_POOL_REQUESTS_PER_IP_PER_5_MINUTES}`,
    );
  });

  it('gives the browser a client with USER_PASSWORD_AUTH and SRP, no secret, no OAuth', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: { Ref: userPoolId },
      ExplicitAuthFlows: Match.arrayWith([
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_USER_SRP_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ]),
      GenerateSecret: false,
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AllowedOAuthFlows: Match.absent(),
    });
  });
});

describe('Dashboard API function', () => {
  it('runs Node 24 on arm64 with a short timeout', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Metrion dashboard API'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
    });
  });

  it('gets the pool, client, tables, key and pepper from its grants, nothing of the proxy', () => {
    const variables = dev.environmentOf(dashboardApiFunctionId);
    expect(variables[LAMBDA_ENV.cognitoUserPoolId]).toEqual({ Ref: userPoolId });
    expect(variables[LAMBDA_ENV.cognitoClientId]).toEqual({ Ref: clientId });
    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining([
        LAMBDA_ENV.accountsTable,
        LAMBDA_ENV.usageTable,
        LAMBDA_ENV.providerKeysKmsKeyArn,
        LAMBDA_ENV.metrionKeyPepperSecretArn,
      ]),
    );
    for (const proxyOnly of [LAMBDA_ENV.responseCacheTable, LAMBDA_ENV.upstreamOrigins]) {
      expect(variables).not.toHaveProperty(proxyOnly);
    }
  });
});

describe('Dashboard API role (least privilege)', () => {
  const statements = dev.roleStatements(dashboardApiFunctionId);
  const providerKeysKeyId = dev.onlyLogicalId('AWS::KMS::Key', {
    Description: Match.stringLikeRegexp('provider keys'),
  });

  it('allows exactly what the dashboard API needs', () => {
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      // Test emails of alert rules, scoped to the alerts identity (test/infra/alerts.test.ts).
      'ses:SendEmail',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  it("seals and opens only the account's secrets (keys, channel secrets) with the provider-keys KMS key: encryption context required", () => {
    const onKey = dev.statementsOn(dashboardApiFunctionId, providerKeysKeyId);
    const onPurposes = (purposes: unknown[]) => ({
      StringEquals: { 'kms:EncryptionContext:purpose': purposes },
      Null: { 'kms:EncryptionContext:account': 'false' },
    });
    const resource = { 'Fn::GetAtt': [providerKeysKeyId, 'Arn'] };
    expect(onKey).toEqual([
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Effect: 'Allow',
        Resource: resource,
        Condition: onPurposes([accountDataKeyContext('a').purpose]),
      },
      // Version-1 secrets only open: nothing is sealed under a key of its own any more.
      {
        Action: 'kms:Decrypt',
        Effect: 'Allow',
        Resource: resource,
        Condition: onPurposes([
          providerKeyContext('a', 'openai').purpose,
          metrionKeyContext('a').purpose,
        ]),
      },
    ]);
    // The condition keys are the context the vault seals with.
    expect(Object.keys(providerKeyContext('a', 'openai'))).toEqual(
      expect.arrayContaining(['account', 'purpose']),
    );
    expect(Object.keys(metrionKeyContext('a'))).toEqual(['account', 'purpose']);
    expect(Object.keys(channelSecretContext('a', 'c'))).toEqual(
      expect.arrayContaining(['account', 'purpose']),
    );
  });

  it('reads usage (and its byRequestId index) but cannot write it, and never touches the response cache', () => {
    const usage = dev.tableId('usage');
    expect(dev.statementsOn(dashboardApiFunctionId, usage).flatMap(actionsOf)).toEqual([
      'dynamodb:Query',
    ]);
    const onIndex = statements.filter((statement) =>
      JSON.stringify(statement.Resource).includes('/index/byRequestId'),
    );
    expect(onIndex.flatMap(actionsOf)).toEqual(['dynamodb:Query']);
    expect(JSON.stringify(statements)).not.toContain(dev.tableId('responseCache'));
  });

  it('never batches reads (no BatchGetItem)', () => {
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:BatchGetItem');
  });

  it('has no Cognito permission: tokens are verified with the public JWKS', () => {
    expect(statements.flatMap(actionsOf).some((action) => action.startsWith('cognito'))).toBe(
      false,
    );
  });
});

describe('Dashboard API routes', () => {
  it.each(Object.entries(API_ROUTES).map(([name, route]) => [name, route.method, route.path]))(
    '%s: %s %s reaches the dashboard API function (buffered, no gateway authorizer)',
    (_, method, path) => {
      const [found, ...others] = dev.methodsAt(path, method);
      expect(others).toEqual([]);
      expect(found).toMatchObject({
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
      const integration = found?.Integration as { ResponseTransferMode?: string; Uri: unknown };
      expect(integration.ResponseTransferMode ?? 'BUFFERED').toBe('BUFFERED');
      expect(JSON.stringify(integration.Uri)).toContain(dashboardApiFunctionId);
      expect(JSON.stringify(integration.Uri)).not.toContain('response-streaming-invocations');
    },
  );

  it('sends any other method on a dashboard path to the function (its JSON 405)', () => {
    for (const path of new Set(Object.values(API_ROUTES).map((route) => route.path))) {
      const [any] = dev.methodsAt(path, 'ANY');
      expect(JSON.stringify(any?.Integration)).toContain(dashboardApiFunctionId);
    }
  });

  it('grants API Gateway one API-wide permission to invoke the dashboard API function', () => {
    dev.template.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [dashboardApiFunctionId, 'Arn'] },
      Principal: 'apigateway.amazonaws.com',
    });
  });
});
