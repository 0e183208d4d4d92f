// Shared mailboxes of an agency: who belongs to each, and their management by the agency's
// shared-mailbox administrators. Every change is one transaction with its audit entry.
import type { Problems } from '../web/input.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import type { Audit } from '../audit/log.js';
import { emailPattern } from '../admin/agencies.js';
import { domainOf } from '../auth/registration.js';

/** The agency's mailboxes with their members; `onlyFor` limits them to those a user belongs to. */
export async function agencyMailboxes(db: Db, agencyId: number, onlyFor?: number) {
  let query = db
    .selectFrom('shared_mailboxes')
    .select((eb) => [
      'shared_mailboxes.id',
      'shared_mailboxes.name',
      'shared_mailboxes.email',
      jsonArrayFrom(
        eb
          .selectFrom('shared_mailbox_members')
          .innerJoin('users', 'users.id', 'shared_mailbox_members.user_id')
          .select(['users.id', 'users.name', 'users.email'])
          .whereRef('shared_mailbox_members.mailbox_id', '=', 'shared_mailboxes.id')
          .orderBy('users.name'),
      ).as('members'),
    ])
    .where('shared_mailboxes.agency_id', '=', agencyId)
    .orderBy('shared_mailboxes.name');
  if (onlyFor !== undefined) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('shared_mailbox_members')
          .select('user_id')
          .whereRef('shared_mailbox_members.mailbox_id', '=', 'shared_mailboxes.id')
          .where('user_id', '=', onlyFor),
      ),
    );
  }
  return query.execute();
}

/** Names of the shared mailboxes each member of the agency belongs to, for the access overview. */
export async function mailboxNamesByUser(db: Db, agencyId: number): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('shared_mailbox_members')
    .innerJoin('shared_mailboxes', 'shared_mailboxes.id', 'shared_mailbox_members.mailbox_id')
    .select(['shared_mailbox_members.user_id', 'shared_mailboxes.name'])
    .where('shared_mailboxes.agency_id', '=', agencyId)
    .orderBy('shared_mailboxes.name')
    .execute();
  const byUser = new Map<number, string[]>();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.name]);
  return byUser;
}

/** A new mailbox of the agency; its address must be on one of the agency's domains, when it has any. */
export async function createMailbox(
  db: Db,
  audit: Audit,
  agencyId: number,
  input: { name: string; email: string },
): Promise<Problems> {
  const email = input.email.toLowerCase();
  const problems: Problems = {};
  if (input.name.length < 2 || input.name.length > 200) problems.mailbox_name = { key: 'me.mailboxes.errors.name' };
  if (!emailPattern.test(email) || email.length > 254) problems.mailbox_email = { key: 'admin.agencies.errors.email' };
  if (Object.keys(problems).length > 0) return problems;
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const domains = (
      await trx.selectFrom('agency_domains').select('domain').where('agency_id', '=', agencyId).execute()
    ).map((d) => d.domain);
    if (domains.length > 0 && !domains.includes(domainOf(email)))
      return { mailbox_email: { key: 'me.mailboxes.errors.domain', params: { domains: domains.join(', ') } } };
    const taken = await trx
      .selectFrom('shared_mailboxes')
      .select(['name', 'email', 'agency_id'])
      .where((eb) =>
        eb.or([eb('email', '=', email), eb.and([eb('agency_id', '=', agencyId), eb('name', '=', input.name)])]),
      )
      .executeTakeFirst();
    if (taken)
      return taken.email === email
        ? { mailbox_email: { key: 'me.mailboxes.errors.emailTaken' } }
        : { mailbox_name: { key: 'me.mailboxes.errors.nameTaken' } };
    const created = await trx
      .insertInto('shared_mailboxes')
      .values({ agency_id: agencyId, name: input.name, email })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'shared_mailbox',
      objectId: created.id,
      agencyId,
      details: { created: { name: input.name, email } },
    });
    return {};
  });
}

/** Adds or removes a member of one of the agency's mailboxes; undefined when the mailbox is not the agency's. */
export async function changeMailboxMember(
  db: Db,
  audit: Audit,
  agencyId: number,
  change: { mailboxId: number; userId: number | undefined; add: boolean },
): Promise<Problems | undefined> {
  return db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const mailbox = await trx
      .selectFrom('shared_mailboxes')
      .select(['id', 'name'])
      .where('id', '=', change.mailboxId)
      .where('agency_id', '=', agencyId)
      .forUpdate()
      .executeTakeFirst();
    if (!mailbox) return undefined;
    // Only people of the same agency can share its mailbox.
    const member =
      change.userId === undefined
        ? undefined
        : await trx
            .selectFrom('agency_members')
            .select('user_id')
            .where('agency_id', '=', agencyId)
            .where('user_id', '=', change.userId)
            .executeTakeFirst();
    if (!member) return { [`member-${mailbox.id}`]: { key: 'me.mailboxes.errors.person' } };
    const changed = change.add
      ? await trx
          .insertInto('shared_mailbox_members')
          .values({ mailbox_id: mailbox.id, user_id: member.user_id })
          .onConflict((oc) => oc.doNothing())
          .returning('user_id')
          .executeTakeFirst()
      : await trx
          .deleteFrom('shared_mailbox_members')
          .where('mailbox_id', '=', mailbox.id)
          .where('user_id', '=', member.user_id)
          .returning('user_id')
          .executeTakeFirst();
    if (!changed)
      return {
        [`member-${mailbox.id}`]: { key: change.add ? 'me.mailboxes.errors.already' : 'me.mailboxes.errors.notMember' },
      };
    await audit(trx, {
      action: 'mailbox.member',
      objectType: 'shared_mailbox',
      objectId: mailbox.id,
      agencyId,
      details: { [change.add ? 'added' : 'removed']: member.user_id, mailbox: mailbox.name },
    });
    return {};
  });
}
