/**
 * The fields of an `EnvironmentConfig` that decide whether it may deploy. Declared here rather
 * than imported so the config schema can call `launchBlockers` without an import circle.
 */
export interface LaunchFields {
  readonly account: string;
  readonly dashboardDomain?: string | undefined;
  readonly hostedZone?: { readonly id: string; readonly name: string } | undefined;
  readonly email: { readonly sender: string };
  readonly billing: { readonly stripeProPriceId: string };
  readonly alarmEmail?: string | undefined;
}

/**
 * How a placeholder looks, so that `environments.ts` can ship values that synthesize but never
 * deploy to production: an account id of one repeated digit, a domain under a name reserved for
 * documentation (RFC 2606/6761), a Stripe price or hosted zone id that says so.
 */
const PLACEHOLDER_ACCOUNT = /^(\d)\1{11}$/;
const RESERVED_DOMAIN = /(^|\.)(example|invalid|test|localhost|example\.(com|net|org))$/;
const PLACEHOLDER_ID = /placeholder|^Z0+$/i;

function isReservedDomain(domain: string): boolean {
  return RESERVED_DOMAIN.test(domain.toLowerCase());
}

function domainOfAddress(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * What keeps a config from a production deploy, one short phrase per field ("account
 * 222222222222 is a placeholder"). Empty when it is ready. Outside production the same list is
 * printed as a warning: such an environment synthesizes, and its deploy would fail or send mail
 * from a domain nobody owns.
 */
export function launchBlockers(config: LaunchFields): string[] {
  const blockers: string[] = [];
  if (PLACEHOLDER_ACCOUNT.test(config.account)) {
    blockers.push(`account ${config.account} is a placeholder (your AWS account id)`);
  }
  if (config.dashboardDomain !== undefined && isReservedDomain(config.dashboardDomain)) {
    blockers.push(
      `dashboardDomain ${config.dashboardDomain} is a placeholder (your domain, or remove it to use the CloudFront URL)`,
    );
  }
  if (config.hostedZone !== undefined) {
    if (PLACEHOLDER_ID.test(config.hostedZone.id) || isReservedDomain(config.hostedZone.name)) {
      blockers.push(
        `hostedZone ${config.hostedZone.name} (${config.hostedZone.id}) is a placeholder (your Route 53 zone, or remove it)`,
      );
    }
  }
  if (isReservedDomain(domainOfAddress(config.email.sender))) {
    blockers.push(
      `email.sender ${config.email.sender} is a placeholder (an address at a domain you own)`,
    );
  }
  if (PLACEHOLDER_ID.test(config.billing.stripeProPriceId)) {
    blockers.push(
      `billing.stripeProPriceId ${config.billing.stripeProPriceId} is a placeholder (the Pro price id from Stripe)`,
    );
  }
  if (config.alarmEmail === undefined) {
    blockers.push('alarmEmail is missing (who receives the alarms)');
  } else if (isReservedDomain(domainOfAddress(config.alarmEmail))) {
    blockers.push(`alarmEmail ${config.alarmEmail} is a placeholder (a monitored address)`);
  }
  return blockers;
}
