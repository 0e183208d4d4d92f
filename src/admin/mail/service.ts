// Receiving addresses and area senders: each change checked (the address's group, form and category
// must belong to its area), written with its audit entry.
import type { Audit } from '../../audit/log.js';
import { inTransaction, type Db } from '../../db/index.js';
import { emailPattern, hasProblems, idOf, type Problems } from '../../web/input.js';

export interface AddressInput {
  address: string;
  area: string;
  group: string;
  form: string;
  category: string;
}

const isAddress = (value: string) => value.length <= 254 && emailPattern.test(value) && !value.includes('+');

/** Adds a receiving address, or changes what an existing one decides. */
export async function saveReceivingAddress(db: Db, audit: Audit, input: AddressInput): Promise<Problems> {
  const problems: Problems = {};
  const address = input.address.trim().toLowerCase();
  if (!isAddress(address)) problems.address = { key: 'admin.mail.errors.address' };
  const areaId = idOf(input.area);
  const area = areaId && (await db.selectFrom('areas').select('id').where('id', '=', areaId).executeTakeFirst());
  if (!area) problems.area = { key: 'admin.mail.errors.area' };
  // Each optional choice must exist in the chosen area: a form of another area would make a case nobody can read.
  const within = async (table: 'groups' | 'forms' | 'categories', raw: string, field: string) => {
    if (raw === '') return null;
    const id = idOf(raw);
    const found =
      id &&
      areaId &&
      (await db.selectFrom(table).select('id').where('id', '=', id).where('area_id', '=', areaId).executeTakeFirst());
    if (!found) problems[field] = { key: 'admin.mail.errors.notInArea' };
    return id ?? null;
  };
  const groupId = await within('groups', input.group, 'group');
  const formId = await within('forms', input.form, 'form');
  const categoryId = await within('categories', input.category, 'category');
  if (hasProblems(problems) || !areaId) return problems;
  const values = { area_id: areaId, group_id: groupId, form_id: formId, category_id: categoryId };
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('mailbox_addresses')
      .values({ address, ...values })
      .onConflict((oc) => oc.column('address').doUpdateSet(values))
      .execute();
    await audit(trx, { action: 'admin.change', objectType: 'mailbox_address', objectId: address, details: values });
  });
  return {};
}

export async function removeReceivingAddress(db: Db, audit: Audit, address: string): Promise<Problems> {
  const removed = await inTransaction(db, async (trx) => {
    const row = await trx
      .deleteFrom('mailbox_addresses')
      .where('address', '=', address.trim().toLowerCase())
      .returning('address')
      .executeTakeFirst();
    if (row)
      await audit(trx, {
        action: 'admin.change',
        objectType: 'mailbox_address',
        objectId: row.address,
        details: { removed: true },
      });
    return row;
  });
  return removed ? {} : { address: { key: 'admin.mail.errors.unknownAddress' } };
}

/** The name and address an area's notices come from; both empty means MAIL_FROM. */
export async function saveAreaSender(
  db: Db,
  audit: Audit,
  input: { area: string; name: string; address: string },
): Promise<Problems> {
  const problems: Problems = {};
  const areaId = idOf(input.area);
  const area = areaId && (await db.selectFrom('areas').select('id').where('id', '=', areaId).executeTakeFirst());
  if (!area) problems.area = { key: 'admin.mail.errors.area' };
  const address = input.address.trim().toLowerCase();
  const name = input.name.trim();
  if (address !== '' && !isAddress(address)) problems.sender_address = { key: 'admin.mail.errors.address' };
  if (name.length > 200 || (name !== '' && address === ''))
    problems.sender_name = { key: 'admin.mail.errors.senderName' };
  if (hasProblems(problems) || !areaId) return problems;
  const values = { mail_sender_name: name || null, mail_sender_address: address || null };
  await inTransaction(db, async (trx) => {
    await trx.updateTable('areas').set(values).where('id', '=', areaId).execute();
    await audit(trx, { action: 'admin.change', objectType: 'area_sender', objectId: areaId, details: values });
  });
  return {};
}
