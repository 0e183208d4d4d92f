// Who sent it: a verdict on the sender of every incoming mail, for the From: domain a person reads.
// - verified: DMARC passes, or (without a DMARC record) SPF or DKIM passes aligned with the From: domain;
// - failed: DMARC fails, or a signature or SPF check for the From: domain itself fails;
// - unverified: nothing says either way (no policy, no aligned signature).
// Either the app checks itself with mailauth (SPF for the connecting address and envelope sender, DKIM,
// DMARC, ARC), or it believes the centre's gateway: only the topmost Authentication-Results header with
// the gateway's authserv-id, and only on mail that came from one of its addresses.
import { BlockList, isIP } from 'node:net';
import type { SenderCheckSettings } from '../config.js';

export type Verdict = 'verified' | 'unverified' | 'failed';

/** mailauth's resolver: a test serves SPF, DKIM and DMARC records from memory. */
export type DnsResolver = (name: string, type: string) => Promise<string[][] | string[]>;

export interface Connection {
  /** The connecting address; undefined for mail read from a mailbox (IMAP). */
  remoteAddress: string | undefined;
  helo: string | undefined;
  envelopeSender: string | undefined;
}

export interface SenderVerdict {
  verdict: Verdict;
  /**
   * What decided it: the deciding result in the protocols' own terms ("dmarc=fail (p=reject)",
   * "dkim=pass header.d=…"), or, where no result decided, a code the page translates (`no_policy`,
   * `not_from_gateway`, `no_gateway_result`, `check_off`).
   */
  reason: string;
}

/** The results that decide, whichever way they were found. */
interface Results {
  dmarc: string | undefined;
  policy?: string | undefined;
  /** Each DKIM signature: its result and signing domain. */
  dkim: { result: string; domain: string }[];
  spf: { result: string; domain: string } | undefined;
}

const domainOf = (address: string | undefined) => address?.split('@').pop()?.toLowerCase() ?? '';
/** Relaxed alignment without the public-suffix list: the same domain, or one inside the other. */
const aligned = (a: string, b: string) =>
  a !== '' && b !== '' && (a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`));

export function decide(results: Results, fromDomain: string): SenderVerdict {
  const policy = results.policy ? ` (p=${results.policy})` : '';
  if (results.dmarc === 'pass') return { verdict: 'verified', reason: `dmarc=pass${policy}` };
  if (results.dmarc === 'fail') return { verdict: 'failed', reason: `dmarc=fail${policy}` };
  const ownSignatures = results.dkim.filter((signature) => aligned(signature.domain, fromDomain));
  if (ownSignatures.some((signature) => signature.result === 'pass'))
    return { verdict: 'verified', reason: 'dkim=pass (aligned)' };
  const spfAligned = results.spf && aligned(results.spf.domain, fromDomain);
  if (spfAligned && results.spf!.result === 'pass') return { verdict: 'verified', reason: 'spf=pass (aligned)' };
  const failedSignature = ownSignatures.find((signature) => signature.result === 'fail');
  if (failedSignature) return { verdict: 'failed', reason: `dkim=fail header.d=${failedSignature.domain}` };
  if (spfAligned && results.spf!.result === 'fail') return { verdict: 'failed', reason: 'spf=fail' };
  return { verdict: 'unverified', reason: 'no_policy' };
}

/** The verdict for one mail under the configured check. */
export async function senderVerdict(
  raw: Buffer,
  from: string,
  connection: Connection,
  settings: SenderCheckSettings,
  resolver?: DnsResolver,
): Promise<SenderVerdict> {
  if (settings.mode === 'off') return { verdict: 'unverified', reason: 'check_off' };
  const fromDomain = domainOf(from);
  if (settings.mode === 'gateway') {
    const trusted = connection.remoteAddress === undefined || isTrustedRelay(connection.remoteAddress, settings);
    if (!trusted) return { verdict: 'unverified', reason: 'not_from_gateway' };
    const results = gatewayResults(raw, settings.authservId);
    if (!results) return { verdict: 'unverified', reason: 'no_gateway_result' };
    return decide(results, fromDomain);
  }
  const { authenticate } = await import('mailauth');
  const checked = await authenticate(raw, {
    ...(connection.remoteAddress ? { ip: connection.remoteAddress } : {}),
    ...(connection.helo ? { helo: connection.helo } : {}),
    ...(connection.envelopeSender ? { sender: connection.envelopeSender } : {}),
    ...(resolver ? { resolver } : {}),
    mta: settings.authservId || 'kundesenter',
    disableBimi: true,
  });
  const dmarc = checked.dmarc || undefined;
  return decide(
    {
      dmarc: dmarc?.status.result,
      policy: dmarc?.policy,
      dkim: checked.dkim.results.map((signature) => ({
        result: signature.status.result,
        domain: signature.signingDomain?.toLowerCase() ?? '',
      })),
      spf: checked.spf
        ? { result: checked.spf.status.result, domain: domainOf(connection.envelopeSender) || (connection.helo ?? '') }
        : undefined,
    },
    fromDomain,
  );
}

function isTrustedRelay(address: string, settings: SenderCheckSettings): boolean {
  const list = new BlockList();
  const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  for (const entry of settings.trustedRelays) {
    const [ip, bits] = entry.split('/');
    if (bits === undefined) list.addAddress(ip!, family(ip!));
    else list.addSubnet(ip!, Number(bits), family(ip!));
  }
  const bare = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return isIP(bare) !== 0 && list.check(bare, family(bare));
}

/** The topmost Authentication-Results header of ours, read into results; undefined when there is none. */
export function gatewayResults(raw: Buffer, authservId: string): Results | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const head = raw.subarray(0, end === -1 ? Math.min(raw.length, 256 * 1024) : end).toString('latin1');
  // Unfold, then find every Authentication-Results field, topmost first.
  const fields = head
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n/)
    .filter((line) => /^authentication-results:/i.test(line))
    .map((line) => line.slice(line.indexOf(':') + 1));
  for (const field of fields) {
    // Comments in parentheses carry no results (but a policy comment is kept for the reason).
    const policy = /\(p=(\w+)/i.exec(field)?.[1]?.toLowerCase();
    const [id, ...parts] = field.replace(/\([^)]*\)/g, ' ').split(';');
    if ((id ?? '').trim().split(/\s+/)[0]?.toLowerCase() !== authservId) continue;
    const results: Results = { dmarc: undefined, policy, dkim: [], spf: undefined };
    for (const part of parts) {
      const method = /^\s*(dmarc|dkim|spf)\s*=\s*(\w+)/i.exec(part);
      if (!method) continue;
      const result = method[2]!.toLowerCase();
      const property = (name: string) => new RegExp(`${name}\\s*=\\s*"?([^\\s";]+)`, 'i').exec(part)?.[1];
      if (method[1]!.toLowerCase() === 'dmarc') results.dmarc = result;
      else if (method[1]!.toLowerCase() === 'dkim')
        results.dkim.push({
          result,
          domain: (property('header\\.d') ?? domainOf(property('header\\.i'))).toLowerCase(),
        });
      else results.spf = { result, domain: domainOf(property('smtp\\.mailfrom')) || (property('smtp\\.helo') ?? '') };
    }
    return results;
  }
  return undefined;
}

/** A stored mail as the verdict needs it: its bytes, its From: address and the connection it came over. */
export interface StoredMail {
  raw: Buffer;
  sender: string;
  remote_address: string | null;
  helo: string | null;
  envelope_sender: string | null;
}

/** The verdict for a stored mail. */
export function storedMailVerdict(
  row: StoredMail,
  settings: { senderCheck: SenderCheckSettings; resolver?: DnsResolver | undefined },
): Promise<SenderVerdict> {
  return senderVerdict(
    row.raw,
    row.sender,
    {
      remoteAddress: row.remote_address ?? undefined,
      helo: row.helo ?? undefined,
      envelopeSender: row.envelope_sender ?? undefined,
    },
    settings.senderCheck,
    settings.resolver,
  );
}
