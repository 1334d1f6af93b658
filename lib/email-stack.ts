import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as ses from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { type EnvironmentConfig, emailDomainOf } from './config/environment-config.ts';
import type { EmailSending } from './constructs/email-sending.ts';
import { hostedZoneFor } from './constructs/hosted-zone.ts';

export interface EmailStackProps extends StackProps {
  readonly config: EnvironmentConfig;
}

/**
 * `Metrion-<env>-email`: the SES domain identity every Metrion email is sent from (Cognito's
 * sign-up codes and password resets, alert emails) and its configuration set. Its own stack
 * because Cognito refuses an identity SES has not verified yet: this stack is deployed first,
 * its DKIM records are published (created here when the domain is in `hostedZone`, otherwise
 * output to create by hand), and the main stack follows once SES reports the domain verified.
 *
 * The configuration set is the identity's default, so every send goes through it: addresses
 * that bounce or complain are suppressed (never mailed again), TLS is required, and reputation
 * metrics feed the bounce and complaint alarms in the main stack.
 */
export class EmailStack extends Stack {
  /** The sender's domain: the SES identity. */
  public readonly domain: string;
  public readonly identity: ses.EmailIdentity;
  public readonly configurationSet: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: EmailStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.domain = emailDomainOf(config);

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: emailConfigurationSetName(config.envName),
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    // Per-event counts in CloudWatch (AWS/SES, dimension ses:configuration-set), beside the
    // account-wide reputation rates the alarms watch.
    this.configurationSet.addEventDestination('Counts', {
      destination: ses.EventDestination.cloudWatchDimensions([
        {
          name: 'ses:configuration-set',
          source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: emailConfigurationSetName(config.envName),
        },
      ]),
      events: [
        ses.EmailSendingEvent.SEND,
        ses.EmailSendingEvent.DELIVERY,
        ses.EmailSendingEvent.BOUNCE,
        ses.EmailSendingEvent.COMPLAINT,
        ses.EmailSendingEvent.REJECT,
      ],
    });

    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: ses.Identity.domain(this.domain),
      configurationSet: this.configurationSet,
    });
    this.publishDkim(hostedZoneFor(this, config, this.domain));
  }

  /** Creates the three DKIM CNAMEs in the zone when there is one, and outputs them either way. */
  private publishDkim(zone: route53.IHostedZone | undefined): void {
    this.identity.dkimRecords.forEach((record, index) => {
      const n = index + 1;
      if (zone !== undefined) {
        new route53.CnameRecord(this, `Dkim${n}`, {
          zone,
          recordName: record.name,
          domainName: record.value,
          ttl: Duration.hours(1),
        });
      }
      new CfnOutput(this, `DkimRecord${n}`, {
        value: `${record.name} CNAME ${record.value}`,
        description: zone
          ? `DKIM record ${n} of ${this.domain} (created in the hosted zone)`
          : `DKIM record ${n} of ${this.domain}: create it in your DNS`,
      });
    });
  }
}

/** `metrion-<envName>`: the configuration set every email of the environment goes through. */
export function emailConfigurationSetName(envName: string): string {
  return `metrion-${envName}`;
}

/** How the main stack's functions and Cognito send through this stack's identity (by name). */
export function emailSending(config: EnvironmentConfig): EmailSending {
  return {
    sender: config.email.sender,
    domain: emailDomainOf(config),
    configurationSetName: emailConfigurationSetName(config.envName),
  };
}
