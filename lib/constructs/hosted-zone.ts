import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environment-config.ts';

/** Whether `name` is the zone's apex or a name below it. */
export function isInZone(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

/**
 * The configured Route 53 zone when `name` lies inside it (records for `name` are then created
 * by the stack), else undefined (the stack outputs the records to create by hand). Imported by
 * id and name: no lookup, so synthesis stays offline.
 */
export function hostedZoneFor(
  scope: Construct,
  config: Pick<EnvironmentConfig, 'hostedZone'>,
  name: string,
): route53.IHostedZone | undefined {
  const zone = config.hostedZone;
  if (zone === undefined || !isInZone(name, zone.name)) return undefined;
  const existing = scope.node.tryFindChild('HostedZone');
  if (existing !== undefined) return existing as route53.IHostedZone;
  return route53.PublicHostedZone.fromHostedZoneAttributes(scope, 'HostedZone', {
    hostedZoneId: zone.id,
    zoneName: zone.name,
  });
}
