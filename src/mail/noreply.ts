// Mail that reaches our no-reply address: a customer answered a notice from an old mail, or wrote to
// the address in MAIL_FROM. Nothing is taken in from it; the sender is told once a day where to write,
// and only a verified person is told (never automatic mail, never an unverified address).
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import { viewerByEmail } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { enqueueMail } from './outbox.js';
import { isAutomatic } from './thread.js';
import { storedMailVerdict, type StoredMail } from './verdict.js';
import type { InboundSettings } from './inbound.js';

export async function answerNoReply(
  db: Db,
  mail: ParsedMail,
  row: StoredMail & { id: number },
  settings: InboundSettings,
): Promise<'noreply_answered' | 'noreply'> {
  if (row.sender === '' || isAutomatic(mail, row.envelope_sender ?? row.sender)) return 'noreply';
  const checked = await storedMailVerdict(row, settings);
  if (checked.verdict !== 'verified') return 'noreply';
  const recent = await db
    .selectFrom('outbox')
    .select('id')
    .where('kind', '=', 'noreply_reply')
    .where('recipient', '=', row.sender)
    .where('created_at', '>', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  if (recent) return 'noreply';
  const known = await viewerByEmail(db, row.sender);
  await enqueueMail(db, {
    kind: 'noreply_reply',
    idempotencyKey: `noreply:${row.id}`,
    recipient: row.sender,
    language: known?.language ?? 'nb',
    payload: { link: new URL('cases', `${settings.publicUrl.href.replace(/\/$/, '')}/`).href },
  });
  return 'noreply_answered';
}
