// Each area's customer centre as the contact page shows it, and the admin's edit of it.
import type { Audit } from '../audit/log.js';
import type { Db } from '../db/index.js';
import { emailPattern, type Problems } from '../web/input.js';

export interface AreaContact {
  contact_phone: string;
  contact_email: string;
  opening_hours_nb: string;
  opening_hours_en: string;
}

/** Active areas with their contact details, in catalogue order. */
export function areaContacts(db: Db) {
  return db
    .selectFrom('areas')
    .select(['code', 'name_nb', 'name_en', 'contact_phone', 'contact_email', 'opening_hours_nb', 'opening_hours_en'])
    .where('active', '=', true)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

/** A phone number as people write them: digits, spaces, a leading plus. */
const phonePattern = /^\+?[0-9][0-9 ]{4,30}$/;

/** Checks and saves an area's contact details; every field may be empty (not shown then). */
export async function saveAreaContact(db: Db, audit: Audit, areaId: number, input: AreaContact): Promise<Problems> {
  const problems: Problems = {};
  if (input.contact_phone !== '' && !phonePattern.test(input.contact_phone))
    problems.contact_phone = { key: 'admin.contact.errors.phone' };
  if (input.contact_email !== '' && !emailPattern.test(input.contact_email))
    problems.contact_email = { key: 'admin.contact.errors.email' };
  if (input.opening_hours_nb.length > 300 || input.opening_hours_en.length > 300)
    problems.opening_hours_nb = { key: 'admin.contact.errors.hours' };
  if (Object.keys(problems).length > 0) return problems;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('areas').set(input).where('id', '=', areaId).execute();
    await audit(trx, { action: 'admin.change', objectType: 'area', objectId: areaId, details: { contact: input } });
  });
  return {};
}
