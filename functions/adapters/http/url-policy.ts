// The webhook URL policy: which schemes and addresses alert deliveries may reach (node:net BlockList).
import { BlockList, isIP } from 'node:net';

/**
 * Configuration wired in each composition root: in AWS no exception (https only, public
 * addresses only); locally `['127.0.0.1']`, so a receiver on this machine can be tested over
 * plain http.
 */
export interface WebhookUrlPolicy {
  /** Hosts, exactly as written in the URL, that may use http and a loopback address. */
  readonly insecureHosts: readonly string[];
}

export const AWS_WEBHOOK_POLICY: WebhookUrlPolicy = { insecureHosts: [] };
export const LOCAL_WEBHOOK_POLICY: WebhookUrlPolicy = { insecureHosts: ['127.0.0.1'] };

/**
 * Private, loopback, link-local (cloud metadata at 169.254.169.254 and fd00:ec2::254 included),
 * shared, documentation, benchmark, multicast, reserved and unspecified ranges.
 */
const REFUSED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  REFUSED.addSubnet(network, prefix, 'ipv6');
}

/** The IPv4 address an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) stands for, if it is one. */
function mappedIpv4(address: string): string | undefined {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (dotted !== undefined) return dotted;
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex === null) return undefined;
  const high = Number.parseInt(hex[1] ?? '0', 16);
  const low = Number.parseInt(hex[2] ?? '0', 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}

/** Why deliveries may not reach `address` (an IP), or undefined when they may. */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address.`;
  const v4 = family === 6 ? mappedIpv4(address) : address;
  const refused =
    v4 !== undefined && isIP(v4) === 4 ? REFUSED.check(v4, 'ipv4') : REFUSED.check(address, 'ipv6');
  return refused
    ? 'The URL points to a private, loopback, link-local or reserved address; use a public https endpoint.'
    : undefined;
}

/** The URL's host as an address when it is an IP literal (`[::1]` → `::1`). */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? undefined : bare;
}

/**
 * Why `url` breaks the policy before any DNS lookup (scheme, credentials, an IP literal in a
 * refused range), or undefined. Hosts named in `insecureHosts` skip the address check.
 */
export function urlRefusal(url: string, policy: WebhookUrlPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'Use a complete URL, e.g. https://hooks.example.com/metrion.';
  }
  const insecure = policy.insecureHosts.includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(insecure && parsed.protocol === 'http:')) {
    return policy.insecureHosts.length === 0
      ? 'The URL must use https.'
      : `The URL must use https (http only for ${policy.insecureHosts.join(', ')}).`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return 'The URL must not carry a user name or password.';
  }
  if (insecure) return undefined;
  const literal = literalAddress(parsed.hostname);
  return literal === undefined ? undefined : addressRefusal(literal);
}
