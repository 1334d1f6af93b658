import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LAMBDA_ENV } from '#lambda/env.ts';
import { acknowledge } from '../nag.ts';

export interface AuthProps {
  /** Environment name: user pool `metrion-<envName>`. */
  readonly envName: string;
  /**
   * Retain the user pool on stack deletion and turn on its deletion protection. Losing the pool
   * locks every customer out (account ids are the pool's `sub`s).
   */
  readonly retainData: boolean;
}

/**
 * stateful: the Cognito user pool the dashboard signs in with (email and password, self
 * sign-up with an emailed confirmation code) and its app client for the browser. Construct ids
 * are stable forever: a new pool means new `sub`s, which are the account ids.
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
      mfa: cognito.Mfa.OFF,
      deletionProtection: props.retainData,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.userPool,
      'AwsSolutions-COG2',
      'The product promises email and password sign-in; MFA enrolment has no dashboard flow yet. Enforced threat protection (Plus plan) blocks risky and compromised-credential sign-ins meanwhile.',
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
