// Which case a mail is about, and what kind of mail it is: the reply token in the address it was sent
// to, then our Message-IDs it answers, then (for a verified sender who may see the case) a case number
// in the subject. Automatic mail is recognised so that two robots never answer each other.
import type { ParsedMail } from 'mailparser';
import type { Db } from '../db/index.js';
import { caseOfReplyToken, outboxIdsIn, splitToken } from './tokens.js';

/** Auto-replies, bulk and list mail get no acknowledgement, so two robots never answer each other. */
export function isAutomatic(mail: ParsedMail, envelopeSender: string): boolean {
  const header = (name: string) => String(mail.headers.get(name) ?? '').toLowerCase();
  const autoSubmitted = header('auto-submitted');
  return (
    envelopeSender === '' ||
    (autoSubmitted !== '' && autoSubmitted !== 'no') ||
    ['bulk', 'junk', 'list', 'auto_reply'].includes(header('precedence')) ||
    mail.headers.has('list-id') ||
    mail.headers.has('list-unsubscribe') ||
    mail.headers.has('x-autoreply')
  );
}

/** The text a person wrote, without the quoted history and the signature below it. */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = lines.findIndex(
    (line) =>
      /^>/.test(line) ||
      /^-{2,}\s*(Original Message|Opprinnelig melding|Videresendt melding)/i.test(line) ||
      /^(On|Den|På)\s.{5,200}\s(wrote|skrev)\b.*:\s*$/i.test(line) ||
      /^(Fra|From):\s.+/i.test(line) ||
      /^--\s*$/.test(line),
  );
  return (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
}

export interface Thread {
  number: string;
  /** A token or one of our Message-IDs proves the mail answers ours; a subject proves nothing. */
  by: 'token' | 'reference' | 'subject';
}

export async function caseFromThread(
  db: Db,
  mail: ParsedMail,
  recipient: string,
  keys: readonly string[],
): Promise<Thread | undefined> {
  const { token } = splitToken(recipient);
  const caseId = token ? caseOfReplyToken(keys, token) : undefined;
  if (caseId !== undefined) {
    const found = await db.selectFrom('cases').select('number').where('id', '=', caseId).executeTakeFirst();
    if (found) return { number: found.number, by: 'token' };
  }
  const references = [mail.inReplyTo ?? '', ...[mail.references ?? []].flat()].join(' ');
  for (const id of outboxIdsIn(keys, references)) {
    const row = await db.selectFrom('outbox').select('payload').where('id', '=', id).executeTakeFirst();
    const number = (row?.payload as { number?: string } | undefined)?.number;
    if (number) return { number, by: 'reference' };
  }
  const subject = /\[(?:Sak|Case) (\d{4}-\d{6,})\]/.exec(mail.subject ?? '')?.[1];
  return subject ? { number: subject, by: 'subject' } : undefined;
}
