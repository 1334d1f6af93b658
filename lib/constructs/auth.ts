import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';
import type { EmailSending } from './email-sending.ts';
import { RateLimitedWebAcl } from './rate-limited-web-acl.ts';
import { stackOutput } from './stack-output.ts';

export interface AuthProps {
  /** Environment name: user pool `metrion-<envName>`. */
  readonly envName: string;
  /**
   * Retain the user pool on stack deletion and turn on its deletion protection. Losing the pool
   * locks every customer out (account ids are the pool's `sub`s).
   */
  readonly retainData: boolean;
  /**
   * Where Cognito's emails (sign-up codes, password resets) come from: SES, from the verified
   * sender domain, through its configuration set, instead of Cognito's own sender (about 50 a
   * day, shared by everyone who signs up).
   */
  readonly email: EmailSending;
  /** Retention of the WAF's blocked-request log. */
  readonly logRetention: logs.RetentionDays;
}

/**
 * Cognito calls one IP may make in 5 minutes (1 a second on average): a person signing in makes
 * a handful, an office behind one address a few dozen; a script creating accounts is stopped.
 */
export const USER_POOL_REQUESTS_PER_IP_PER_5_MINUTES = 300;

/**
 * stateful: the Cognito user pool the dashboard signs in with (email and password, self
 * sign-up with an emailed confirmation code, optional TOTP second factor) and its app client for
 * the browser. Construct ids are stable forever: a new pool means new `sub`s, which are the
 * account ids.
 *
 * Self sign-up is open, so the pool sits behind a regional WAF web ACL (IP reputation and a
 * per-IP rate limit), and Plus-plan threat protection blocks risky sign-ins.
 *
 * The dashboard API Lambda verifies the pool's ID tokens itself (JWKS signature, issuer, audience,
 * expiry, `token_use`), so it needs no IAM permission here, only the ids
 * ({@link Auth.bindTokenVerification}).
 */
export class Auth extends Construct {
  public readonly userPool: cognito.UserPool;
  /** The SPA's client: USER_PASSWORD_AUTH and SRP, no secret (a browser cannot keep one). */
  public readonly dashboardClient: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `metrion-${props.envName}`,
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      userVerification: {
        emailSubject: 'Your Metrion verification code',
        emailBody: 'Your Metrion verification code is {####}',
        emailStyle: cognito.VerificationEmailStyle.CODE,
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus plan: adaptive authentication and compromised-credential checks, enforced.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      // Each user may turn on an authenticator app (Settings > Security); no SMS.
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      email: cognito.UserPoolEmail.withSES({
        fromEmail: props.email.sender,
        fromName: 'Metrion',
        sesRegion: Stack.of(this).region,
        sesVerifiedDomain: props.email.domain,
        configurationSetName: props.email.configurationSetName,
      }),
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'The product promises email and password sign-in, so MFA is optional: every user can turn on an authenticator app in Settings > Security. Enforced threat protection (Plus plan) blocks risky and compromised-credential sign-ins for everyone.',
    );
    const webAcl = new RateLimitedWebAcl(this, 'WebAcl', {
      scope: 'REGIONAL',
      envName: props.envName,
      requestsPerIpPer5Minutes: USER_POOL_REQUESTS_PER_IP_PER_5_MINUTES,
      logRetention: props.logRetention,
      retainLogs: props.retainData,
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.userPool.userPoolArn,
      webAclArn: webAcl.webAcl.attrArn,
    });

    stackOutput(
      this,
      'UserPoolId',
      this.userPool.userPoolId,
      'Cognito user pool (aws cognito-idp admin-confirm-sign-up --user-pool-id <this> --username <email>)',
    );

    this.dashboardClient = this.userPool.addClient('DashboardClient', {
      userPoolClientName: 'dashboard',
      authFlows: { userPassword: true, userSrp: true },
      generateSecret: false,
      // The dashboard signs in with InitiateAuth; no hosted UI or OAuth redirects.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
  }

  /**
   * Lets `fn` verify the dashboard's ID tokens: sets `COGNITO_USER_POOL_ID` and
   * `COGNITO_CLIENT_ID`. Grants nothing: the signing keys (JWKS) are public.
   */
  public bindTokenVerification(fn: lambda.Function): void {
    fn.addEnvironment(LAMBDA_ENV.cognitoUserPoolId, this.userPool.userPoolId);
    fn.addEnvironment(LAMBDA_ENV.cognitoClientId, this.dashboardClient.userPoolClientId);
  }
}
