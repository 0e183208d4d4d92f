// Unguessable marks in the mail we send: a reply token per case in the Reply-To address
// (`lonn+<token>@…`) and a mark in each Message-ID (`<outbox-<id>.<mark>@…>`). Both are HMAC-SHA256
// under MAIL_TOKEN_KEY, 130 bits, so nothing is stored, a guess is hopeless, and a key can be rotated:
// the newest key makes marks, every configured key is accepted.
import { createHmac, timingSafeEqual } from 'node:crypto';

const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
/** 26 base32 characters: 130 bits. */
const markLength = 26;

function base32(bytes: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

function mark(key: string, purpose: string, id: number): string {
  return base32(createHmac('sha256', key).update(`${purpose}:${id}`).digest()).slice(0, markLength);
}

function verified(keys: readonly string[], purpose: string, id: number, given: string): boolean {
  const offered = Buffer.from(given);
  return keys.some((key) => {
    const expected = Buffer.from(mark(key, purpose, id));
    return expected.length === offered.length && timingSafeEqual(expected, offered);
  });
}

/** The reply token of a case: its id and a mark only our key can make. */
export function replyToken(keys: readonly string[], caseId: number): string {
  return `${caseId}-${mark(keys[0]!, 'case', caseId)}`;
}

/** The case a token names, when its mark is genuine under one of the keys. */
export function caseOfReplyToken(keys: readonly string[], token: string): number | undefined {
  const match = /^(\d{1,15})-([a-z2-7]{26})$/.exec(token.toLowerCase());
  if (!match) return undefined;
  const caseId = Number(match[1]);
  return verified(keys, 'case', caseId, match[2]!) ? caseId : undefined;
}

/** `lonn@kundesenter.no` with a token: `lonn+<token>@kundesenter.no`. */
export function withToken(address: string, token: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}+${token}${address.slice(at)}`;
}

/** An address without its plus part, and the plus part (the token) when there is one. */
export function splitToken(address: string): { address: string; token: string | undefined } {
  const at = address.lastIndexOf('@');
  const local = at === -1 ? address : address.slice(0, at);
  const plus = local.indexOf('+');
  if (plus === -1) return { address, token: undefined };
  return { address: `${local.slice(0, plus)}${address.slice(at)}`, token: local.slice(plus + 1) };
}

/** The Message-ID of an outbox row. */
export function messageIdOf(keys: readonly string[], outboxId: number, domain: string): string {
  return `<outbox-${outboxId}.${mark(keys[0]!, 'message', outboxId)}@${domain}>`;
}

/** The outbox rows named by genuine Message-IDs of ours in these header values (In-Reply-To, References). */
export function outboxIdsIn(keys: readonly string[], headers: string): number[] {
  const ids: number[] = [];
  for (const match of headers.matchAll(/<outbox-(\d{1,15})\.([a-z2-7]{26})@[^>]+>/gi)) {
    const id = Number(match[1]);
    if (verified(keys, 'message', id, match[2]!.toLowerCase())) ids.push(id);
  }
  return ids;
}

/** The return path of one outbox mail (VERP): a bounce names exactly that mail, and nobody can forge one. */
export function bounceAddress(keys: readonly string[], outboxId: number, domain: string): string {
  return `bounce+${outboxId}-${mark(keys[0]!, 'bounce', outboxId)}@${domain}`;
}

/** Whether an address is one of our bounce addresses at all (genuine or not). */
export function isBounceAddress(address: string, domain: string): boolean {
  return /^bounce\+[^@]*@/i.test(address) && address.toLowerCase().endsWith(`@${domain.toLowerCase()}`);
}

/** The outbox row a bounce address names, when its mark is genuine. */
export function outboxOfBounceAddress(keys: readonly string[], address: string): number | undefined {
  const match = /^bounce\+(\d{1,15})-([a-z2-7]{26})@/i.exec(address);
  if (!match) return undefined;
  const id = Number(match[1]);
  return verified(keys, 'bounce', id, match[2]!.toLowerCase()) ? id : undefined;
}
