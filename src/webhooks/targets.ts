// Where a webhook may go. In production only HTTPS to public addresses: private, loopback, link-local,
// carrier-grade NAT, multicast and reserved ranges are refused, checked on the addresses the name
// resolves to at the moment of connecting (the socket uses exactly those), so a name that changes its
// answer after the subscription was checked (DNS rebinding) still cannot reach the inside. In
// development, WEBHOOKS_ALLOW_LOOPBACK lets a local receiver on plain HTTP take them.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(network, prefix, 'ipv6');

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

export interface TargetRules {
  /** Plain HTTP and loopback addresses (development only). */
  allowLoopback: boolean;
}

/** Why an address may not be called, or undefined when it may. */
export function refusedAddress(address: string, rules: TargetRules): string | undefined {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (rules.allowLoopback && loopback.check(address, family)) return undefined;
  // An IPv4 address written as IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return refusedAddress(mapped, rules);
  return blocked.check(address, family) ? `the address ${address} is not a public one` : undefined;
}

/** The problem with a subscription's URL as written (its scheme, credentials, an address literal), if any. */
export function urlProblem(
  url: string,
  rules: TargetRules,
): 'webhooks.errors.url' | 'webhooks.errors.https' | 'webhooks.errors.address' | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'webhooks.errors.url';
  }
  if (parsed.username || parsed.password || parsed.hash || url.length > 2000) return 'webhooks.errors.url';
  if (parsed.protocol !== 'https:' && !(rules.allowLoopback && parsed.protocol === 'http:'))
    return 'webhooks.errors.https';
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && refusedAddress(host, rules)) return 'webhooks.errors.address';
  if (!isIP(host) && !rules.allowLoopback && /(^|\.)(localhost|local|internal|localdomain)$/i.test(host))
    return 'webhooks.errors.address';
  return undefined;
}

/** Resolves a name and checks every address it gives; the one used to connect is one of those checked. */
export function resolvePublic(host: string, rules: TargetRules): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) => {
    if (isIP(host)) {
      const why = refusedAddress(host, rules);
      return why
        ? reject(Object.assign(new Error(why), { code: 'EWEBHOOKADDRESS' }))
        : resolve([{ address: host, family: isIP(host) }]);
    }
    dnsLookup(host, { all: true }, (error, addresses) => {
      if (error) return reject(error);
      const why = addresses.map((a) => refusedAddress(a.address, rules)).find(Boolean);
      if (why) return reject(Object.assign(new Error(why), { code: 'EWEBHOOKADDRESS' }));
      resolve(addresses);
    });
  });
}

/** A `lookup` for http.request that only ever hands the socket a checked address. */
export function guardedLookup(rules: TargetRules): LookupFunction {
  return (hostname, options, callback) => {
    resolvePublic(hostname, rules).then(
      (addresses) => {
        const wanted =
          options.family === 6 || options.family === 4
            ? addresses.filter((a) => a.family === options.family)
            : addresses;
        const usable = wanted.length > 0 ? wanted : addresses;
        if (options.all) (callback as (e: null, a: LookupAddress[]) => void)(null, usable);
        else callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}
