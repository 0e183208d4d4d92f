// Files held across a form's correction. A file that passed its checks is kept for the user who sent it
// when the rest of the form did not, so the corrected form names it instead of asking for it again
// (with or without JavaScript: the form carries the held files' tokens). Held files are the sender's
// alone, kept a day at most, and become the case's files, without passing through memory, once it is made.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { CheckedFile } from './files.js';
import { writeChunks } from './spool.js';
import { maxFilesPerRequest } from './multipart.js';

export interface HeldFile {
  id: number;
  token: string;
  field: string;
  filename: string;
  contentType: string;
  size: number;
}

const kept = sql<Date>`now() - interval '24 hours'`;

/** Holds checked files for the user; returns them as the form will name them. */
export async function holdFiles(db: Db, userId: number, files: readonly CheckedFile[]): Promise<HeldFile[]> {
  if (files.length === 0) return [];
  await db.deleteFrom('held_files').where('created_at', '<', kept).execute();
  const held: HeldFile[] = [];
  for (const file of files) {
    const token = randomBytes(24).toString('base64url');
    const { id } = await db
      .insertInto('held_files')
      .values({
        token,
        user_id: userId,
        field: file.field,
        filename: file.filename,
        content_type: file.contentType,
        size_bytes: file.size,
        sha256: file.sha256,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeChunks(file.source, (seq, data) =>
      db.insertInto('held_file_chunks').values({ held_id: id, seq, data }).execute(),
    );
    held.push({
      id,
      token,
      field: file.field,
      filename: file.filename,
      contentType: file.contentType,
      size: file.size,
    });
  }
  return held;
}

/** How many bytes held files take: they count against a case's size limit like new ones. */
export const heldBytes = (files: readonly HeldFile[]) => files.reduce((sum, file) => sum + file.size, 0);

/**
 * A refused form or message that keeps its files: those held from before and those that passed their
 * checks this time, so the corrected one need not ask for them again.
 */
export async function refusalKeepingFiles<P>(
  db: Db,
  userId: number,
  problems: P,
  checked: { files: readonly CheckedFile[]; tooLarge: boolean },
  held: readonly HeldFile[],
) {
  return {
    problems,
    status: checked.tooLarge ? (413 as const) : (422 as const),
    held: [...held, ...(await holdFiles(db, userId, checked.files))],
  };
}

/** The tokens a form sent back, as a list: anything that is not a token is left out. */
export function heldTokens(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list
    .filter((v): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{32}$/.test(v))
    .slice(0, maxFilesPerRequest);
}

/** The user's held files among these tokens; another user's token, or an expired one, finds nothing. */
export async function heldFiles(db: Db, userId: number, tokens: readonly string[]): Promise<HeldFile[]> {
  if (tokens.length === 0) return [];
  const rows = await db
    .selectFrom('held_files')
    .select(['id', 'token', 'field', 'filename', 'content_type', 'size_bytes'])
    .where('user_id', '=', userId)
    .where('token', 'in', tokens)
    .where('created_at', '>=', kept)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    token: r.token,
    field: r.field,
    filename: r.filename,
    contentType: r.content_type,
    size: Number(r.size_bytes),
  }));
}

/** Makes held files a case's files, in the caller's transaction, and lets go of them. */
export async function storeHeldFiles(
  trx: Db,
  target: { caseId: number; eventId: number; userId: number | null },
  files: readonly HeldFile[],
) {
  if (files.length === 0) return;
  // Locked first: of two requests carrying the same held files, the second finds them gone and skips them.
  const present = new Set(
    (
      await trx
        .selectFrom('held_files')
        .select('id')
        .where(
          'id',
          'in',
          files.map((f) => f.id),
        )
        .forUpdate()
        .execute()
    ).map((r) => r.id),
  );
  for (const file of files.filter((f) => present.has(f.id))) {
    const { id } = await trx
      .insertInto('attachments')
      .values((eb) => ({
        case_id: target.caseId,
        event_id: target.eventId,
        form_field: file.field === 'attachments' ? null : file.field.replace(/^f_/, ''),
        filename: file.filename,
        content_type: file.contentType,
        size_bytes: file.size,
        sha256: eb.selectFrom('held_files').select('sha256').where('id', '=', file.id),
        uploaded_by: target.userId,
      }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`
      INSERT INTO attachment_chunks (attachment_id, seq, data)
      SELECT ${id}, seq, data FROM held_file_chunks WHERE held_id = ${file.id}`.execute(trx);
    await trx.deleteFrom('held_files').where('id', '=', file.id).execute();
  }
}
