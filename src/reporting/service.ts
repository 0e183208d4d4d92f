// Verbs of periodic reporting. A delivery is checked first, streaming and outside any transaction; then
// either it passes (the file, the delivery with its receipt number, the replaced version, the audit entry
// and the receipt mail commit together) or it is refused (the file and the first errors are kept so the
// errors can be shown again, and the centre can follow up). Nothing counts as delivered until the whole
// file has passed.
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import { can } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { enqueueMail } from '../mail/outbox.js';
import { osloDay } from '../sla/calendar.js';
import { cleanText, emailPattern, type Problems } from '../web/input.js';
import type { Language } from '../web/i18n.js';
import type { LineError } from './check.js';
import type { Layout } from './layout.js';
import { checkFile } from './read.js';
import { contactsOf, fileChunks, type ReportType } from './queries.js';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeChunks } from '../attachments/spool.js';
import { openCase } from '../cases/open.js';

export interface DeliveredFile {
  path: string;
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
}

export interface Delivery {
  type: ReportType;
  layout: { id: number; version: number; definition: Layout };
  period: string;
  file: DeliveredFile;
  channel: 'file' | 'web';
  declared?: { count?: number; sums?: Record<string, number> };
}

export type DeliveryOutcome =
  | { delivered: true; receipt: string }
  | { delivered: false; rejectionId: number; errorCount: number; errors: LineError[] };

async function storeFile(trx: Db, file: DeliveredFile): Promise<number> {
  const { id } = await trx
    .insertInto('report_files')
    .values({
      filename: file.filename,
      content_type: file.contentType,
      size_bytes: file.size,
      sha256: file.sha256,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await writeChunks({ path: file.path }, (seq, data) =>
    trx.insertInto('report_file_chunks').values({ file_id: id, seq, data }).execute(),
  );
  return id;
}

/**
 * Delivers a file for a period: checked whole, then stored as the period's next version (replacing the
 * one before) with a receipt, or kept as refused with its errors. The viewer must be an innrapportør of
 * the type's area in the agency they act for (the route has checked the type is theirs to see).
 */
export async function deliver(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  delivery: Delivery,
  options: { publicUrl: URL; language: Language },
): Promise<DeliveryOutcome> {
  const agencyId = viewer.agencyId;
  if (agencyId === null || !can(viewer, 'reporting.deliver', { areaId: delivery.type.areaId }))
    throw new Error('deliver: the route lets only the area’s innrapportører deliver');
  const outcome = await checkFile(delivery.file, delivery.layout.definition, delivery.period, {
    declared: delivery.declared,
  });
  if (outcome.errorCount > 0) {
    const rejectionId = await db.transaction().execute(async (trx) => {
      const fileId = await storeFile(trx, delivery.file);
      const { id } = await trx
        .insertInto('report_rejections')
        .values({
          report_type_id: delivery.type.id,
          agency_id: agencyId,
          period: delivery.period,
          layout_id: delivery.layout.id,
          file_id: fileId,
          channel: delivery.channel,
          error_count: outcome.errorCount,
          errors: JSON.stringify(outcome.errors),
          declared: JSON.stringify(delivery.declared ?? {}),
          rejected_by: viewer.userId,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    });
    return { delivered: false, rejectionId, errorCount: outcome.errorCount, errors: outcome.errors };
  }
  const receipt = await db.transaction().execute(async (trx) => {
    const fileId = await storeFile(trx, delivery.file);
    // One delivery of a period at a time: the next version number is read and written under the lock.
    await sql`select pg_advisory_xact_lock(hashtext(${`reporting:${delivery.type.id}:${agencyId}:${delivery.period}`}))`.execute(
      trx,
    );
    const previous = await trx
      .selectFrom('report_deliveries')
      .select(['id', 'version'])
      .where('report_type_id', '=', delivery.type.id)
      .where('agency_id', '=', agencyId)
      .where('period', '=', delivery.period)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (previous)
      await trx
        .updateTable('report_deliveries')
        .set({ replaced_at: sql`now()` })
        .where('id', '=', previous.id)
        .where('replaced_at', 'is', null)
        .execute();
    const { nextval } = await sql<{ nextval: string }>`select nextval('report_receipt_seq')::text as nextval`
      .execute(trx)
      .then((r) => r.rows[0]!);
    const receipt = `IR-${osloDay(new Date()).slice(0, 4)}-${nextval.padStart(6, '0')}`;
    await trx
      .insertInto('report_deliveries')
      .values({
        receipt,
        report_type_id: delivery.type.id,
        agency_id: agencyId,
        period: delivery.period,
        version: (previous?.version ?? 0) + 1,
        layout_id: delivery.layout.id,
        file_id: fileId,
        channel: delivery.channel,
        row_count: outcome.rows,
        control_sums: JSON.stringify(outcome.sums),
        delivered_by: viewer.userId,
      })
      .execute();
    await audit(trx, {
      action: 'reporting.deliver',
      objectType: 'report_delivery',
      objectId: receipt,
      agencyId,
      details: {
        type: delivery.type.code,
        period: delivery.period,
        version: (previous?.version ?? 0) + 1,
        rows: outcome.rows,
        sha256: delivery.file.sha256,
      },
    });
    // The receipt by mail: numbers and a link, never the report's content.
    await enqueueMail(trx, {
      kind: 'reporting_receipt',
      idempotencyKey: `reporting-receipt:${receipt}`,
      recipient: viewer.email,
      language: viewer.language ?? options.language,
      payload: {
        name: viewer.name,
        receipt,
        report: (viewer.language ?? options.language) === 'en' ? delivery.type.name.en : delivery.type.name.nb,
        period: delivery.period,
        rows: String(outcome.rows),
        link: new URL(`/reporting/receipts/${receipt}`, options.publicUrl).href,
      },
    });
    return receipt;
  });
  return { delivered: true, receipt };
}

export interface ContactValues {
  name: string;
  email: string;
  phone: string;
}

/** Registers a reporting contact for the agency the viewer acts for. */
export async function registerContact(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  input: Record<string, unknown>,
): Promise<{ problems: Problems; values: ContactValues }> {
  const values: ContactValues = {
    name: cleanText(input.name, false),
    email: cleanText(input.email, false).toLowerCase(),
    phone: cleanText(input.phone, false),
  };
  const problems: Problems = {};
  if (values.name.length < 2 || values.name.length > 200) problems.name = { key: 'reporting.contact.errors.name' };
  if (!emailPattern.test(values.email) || values.email.length > 254)
    problems.email = { key: 'reporting.contact.errors.email' };
  if (!/^\+?[0-9 ]{8,20}$/.test(values.phone)) problems.phone = { key: 'reporting.contact.errors.phone' };
  const agencyId = viewer.agencyId;
  if (agencyId === null) throw new Error('registerContact: only for someone acting for an agency');
  if (Object.keys(problems).length > 0) return { problems, values };
  const inserted = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('reporting_contacts')
      .values({ agency_id: agencyId, ...values, registered_by: viewer.userId })
      .onConflict((oc) => oc.columns(['agency_id', 'email']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row)
      await audit(trx, {
        action: 'reporting.contact',
        objectType: 'reporting_contact',
        objectId: row.id,
        agencyId,
        details: { name: values.name, email: values.email },
      });
    return row;
  });
  if (!inserted) return { problems: { email: { key: 'reporting.contact.errors.duplicate' } }, values };
  return { problems: {}, values };
}

/** Runs `work` on a stored file written back to a private temporary file, removed afterwards. */
export async function restoreFile<T>(db: Db, fileId: number, work: (path: string) => Promise<T>) {
  const dir = await mkdtemp(join(tmpdir(), 'kundesenter-reporting-'));
  const path = join(dir, 'file');
  try {
    await pipeline(Readable.from(fileChunks(db, fileId)), createWriteStream(path, { mode: 0o600 }));
    return await work(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Whether the agency has someone the centre can write to about its reporting. */
export async function hasContact(db: Db, agencyId: number): Promise<boolean> {
  return (await contactsOf(db, agencyId)).length > 0;
}

/**
 * Opens a case to an agency about a period it has not delivered (or whose delivery was refused), with
 * the area's innrapportør as the customer, so the conversation runs like any case. Undefined when the
 * agency has nobody who reports in the area.
 */
export async function openFollowUp(
  db: Db,
  viewer: Viewer,
  input: { type: ReportType; agencyId: number; periodLabel: string; title: string; body: string },
  context: { publicUrl: URL; language: Language },
): Promise<{ number: string } | undefined> {
  if (!can(viewer, 'case.assign', { areaId: input.type.areaId })) throw new Error('openFollowUp: not for this area');
  return db.transaction().execute(async (trx) => {
    const reporter = await trx
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .innerJoin('agency_members', (join) =>
        join.onRef('agency_members.user_id', '=', 'users.id').on('agency_members.agency_id', '=', input.agencyId),
      )
      .select(['users.id', 'users.name', 'users.email', 'users.language'])
      .where('user_roles.role', '=', 'reporter')
      .where('user_roles.agency_id', '=', input.agencyId)
      .where('user_roles.area_id', '=', input.type.areaId)
      .where('users.active', '=', true)
      .orderBy('users.name')
      .limit(1)
      .executeTakeFirst();
    if (!reporter) return undefined;
    return openCase(trx, {
      title: input.title,
      body: input.body,
      areaId: input.type.areaId,
      agencyId: input.agencyId,
      requester: {
        userId: reporter.id,
        name: reporter.name,
        email: reporter.email,
        language: reporter.language === 'en' ? 'en' : reporter.language === 'nb' ? 'nb' : null,
      },
      actorId: viewer.userId,
      channel: 'web',
      formId: null,
      categoryId: null,
      answers: {},
      files: [],
      eventData: { onBehalfOf: reporter.id, reporting: { type: input.type.code, period: input.periodLabel } },
      acknowledge: true,
      language: context.language,
      publicUrl: context.publicUrl,
    });
  });
}
