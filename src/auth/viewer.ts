// Who is asking: built once per request from the server-side session row.
import { sql, type CompiledQuery } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { preparedMark, type Db } from '../db/index.js';
import type { Language } from '../web/i18n.js';
import { seenStampMs, type KeptViewers } from './kept-viewers.js';

export type RoleName =
  | 'caseworker'
  | 'admin'
  | 'professional_user'
  | 'authorised_orderer'
  | 'power_of_attorney'
  | 'editor'
  | 'mailbox_admin'
  | 'reporter';

export interface Role {
  readonly role: RoleName;
  readonly agencyId: number | null;
  readonly areaId: number | null;
}

export interface Viewer {
  readonly sessionId: string;
  readonly userId: number;
  readonly name: string;
  readonly email: string;
  readonly language: Language | null;
  /** The agency the user acts for now; null for centre staff without an agency. */
  readonly agencyId: number | null;
  readonly agencyIds: readonly number[];
  /** Every agency the user may act for, by name, for the switcher. */
  readonly agencies: readonly { readonly id: number; readonly name: string }[];
  readonly roles: readonly Role[];
  /** Caseworker groups (teams) the user belongs to. */
  readonly groupIds: readonly number[];
  /** Shared mailboxes the user is a member of, in any of their agencies. */
  readonly mailboxes: readonly { readonly id: number; readonly agencyId: number; readonly name: string }[];
  /** The columns the user chose for case lists, as stored (unchecked; see userColumns). */
  readonly caseListColumns: readonly string[];
  /** A consultant acts for exactly one agency (seed 002). */
  readonly consultant: boolean;
  /** A consultant who has not accepted the current consent declaration: they may do nothing else first. */
  readonly consentPending: boolean;
}

const viewerKeys = new WeakMap<Viewer, string>();

/**
 * The whole viewer as JSON, written once per viewer, for keys of what is kept per viewer (a list's count,
 * its compiled statement): a viewer is kept between requests and never changed (a changed grant or session
 * is a new viewer), and writing it anew took 10–20 µs of every list.
 */
export function viewerKey(viewer: Viewer): string {
  let key = viewerKeys.get(viewer);
  if (key === undefined) {
    key = JSON.stringify(viewer);
    viewerKeys.set(viewer, key);
  }
  return key;
}

/** The shared mailboxes of the agency the viewer acts for now: the ones they may send as and see. */
export function activeMailboxes(viewer: Viewer) {
  return viewer.mailboxes.filter((m) => m.agencyId === viewer.agencyId);
}

export function hasRole(viewer: Viewer, role: RoleName): boolean {
  return viewer.roles.some((r) => r.role === role);
}

/** Areas a caseworker works in. */
export function caseworkerAreaIds(viewer: Viewer): number[] {
  return viewer.roles.filter((r) => r.role === 'caseworker' && r.areaId !== null).map((r) => r.areaId!);
}

/** How long a session lives: ended after this much inactivity, and at most this long after login. */
export interface SessionLimits {
  idleMinutes: number;
  maxHours: number;
}
const defaultLimits: SessionLimits = { idleMinutes: 120, maxHours: 12 };

/** A user with their roles, agencies and groups, in one round trip. */
function usersWithAccess(db: Db) {
  return db
    .selectFrom('users')
    .select((eb) => [
      'users.id as userId',
      'users.name',
      'users.email',
      'users.language',
      'users.case_list_columns',
      'users.consultant',
      sql<boolean>`CASE WHEN users.consultant THEN users.consent_declaration_id IS DISTINCT FROM (SELECT max(id) FROM consultant_declarations) ELSE false END`.as(
        'consent_pending',
      ),
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .select(['role', 'agency_id', 'area_id'])
          .whereRef('user_roles.user_id', '=', 'users.id'),
      ).as('roles'),
      jsonArrayFrom(
        eb
          .selectFrom('agency_members')
          .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
          .select(['agency_members.agency_id', 'agencies.name'])
          .whereRef('agency_members.user_id', '=', 'users.id')
          .orderBy('agency_members.agency_id'),
      ).as('memberships'),
      jsonArrayFrom(
        eb.selectFrom('group_members').select('group_id').whereRef('group_members.user_id', '=', 'users.id'),
      ).as('groups'),
      jsonArrayFrom(
        eb
          .selectFrom('shared_mailbox_members')
          .innerJoin('shared_mailboxes', 'shared_mailboxes.id', 'shared_mailbox_members.mailbox_id')
          .select(['shared_mailboxes.id', 'shared_mailboxes.agency_id', 'shared_mailboxes.name'])
          .whereRef('shared_mailbox_members.user_id', '=', 'users.id')
          .orderBy('shared_mailboxes.name'),
      ).as('mailboxes'),
    ]);
}

type UserWithAccess = Awaited<ReturnType<ReturnType<typeof usersWithAccess>['executeTakeFirstOrThrow']>>;

function toViewer(sessionId: string, user: UserWithAccess, activeAgencyId: number | null = null): Viewer {
  const agencyIds = user.memberships.map((m) => Number(m.agency_id));
  return {
    sessionId,
    userId: user.userId,
    name: user.name,
    email: user.email,
    language: user.language === 'nb' || user.language === 'en' ? user.language : null,
    // The agency chosen for this session while the user still belongs to it, else their first.
    agencyId: activeAgencyId !== null && agencyIds.includes(activeAgencyId) ? activeAgencyId : (agencyIds[0] ?? null),
    agencyIds,
    agencies: user.memberships.map((m) => ({ id: Number(m.agency_id), name: m.name })),
    roles: user.roles.map((r) => ({
      role: r.role as RoleName,
      agencyId: r.agency_id === null ? null : Number(r.agency_id),
      areaId: r.area_id === null ? null : Number(r.area_id),
    })),
    groupIds: user.groups.map((g) => Number(g.group_id)),
    mailboxes: user.mailboxes.map((m) => ({ id: Number(m.id), agencyId: Number(m.agency_id), name: m.name })),
    caseListColumns: user.case_list_columns ?? [],
    consultant: user.consultant,
    consentPending: user.consent_pending,
  };
}

// The session's query is built and compiled once, with stand-ins where a request's values go: building
// it anew cost more of a request's time than PostgreSQL takes to answer it (it is prepared, see db).
const standIn = { session: '\u0000session', createdAfter: new Date(0), seenAfter: new Date(1) };
let sessionQuery: CompiledQuery<SessionRow> | undefined;
type SessionRow = UserWithAccess & {
  sessionId: string;
  created_at: Date;
  last_seen_at: Date;
  active_agency_id: number | null;
};

function compiledSessionQuery(db: Db): CompiledQuery<SessionRow> {
  sessionQuery ??= usersWithAccess(db)
    .innerJoin('sessions', 'sessions.user_id', 'users.id')
    .select(['sessions.id as sessionId', 'sessions.created_at', 'sessions.last_seen_at', 'sessions.active_agency_id'])
    .where('sessions.id', '=', standIn.session)
    .where('sessions.revoked_at', 'is', null)
    .where('users.active', '=', true)
    .where('sessions.created_at', '>', standIn.createdAfter)
    .where('sessions.last_seen_at', '>', standIn.seenAfter)
    .modifyEnd(preparedMark)
    .compile();
  return sessionQuery;
}

export async function loadViewer(
  db: Db,
  sessionId: string,
  limits: SessionLimits = defaultLimits,
  kept?: KeptViewers,
): Promise<Viewer | null> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return null;
  const known = kept?.get(sessionId, limits.maxHours);
  if (known) return known;
  const mark = kept?.mark();
  // One round trip per request: the session, its user, their roles and agencies.
  const query = compiledSessionQuery(db);
  const values = new Map<unknown, unknown>([
    [standIn.session, sessionId],
    [standIn.createdAfter, new Date(Date.now() - limits.maxHours * 3_600_000)],
    [standIn.seenAfter, new Date(Date.now() - limits.idleMinutes * 60_000)],
  ]);
  const { rows } = await db.executeQuery<SessionRow>({
    ...query,
    parameters: query.parameters.map((value) => (values.has(value) ? values.get(value) : value)),
  });
  const session = rows[0];
  if (!session) return null;
  let seenAt = new Date(session.last_seen_at);
  if (Date.now() - seenAt.getTime() > seenStampMs) {
    seenAt = new Date();
    await db.updateTable('sessions').set({ last_seen_at: seenAt }).where('id', '=', session.sessionId).execute();
  }
  const viewer = toViewer(session.sessionId, session, session.active_agency_id);
  if (kept && mark) kept.keep(viewer, { createdAt: new Date(session.created_at), seenAt }, mark);
  return viewer;
}

/**
 * The viewer for someone who is not signed in but acts by other means (an e-mail from their
 * address): the same roles and visibility as when they log in; null when unknown or deactivated.
 */
export async function viewerByEmail(db: Db, email: string): Promise<Viewer | null> {
  const user = await usersWithAccess(db)
    .where('users.email', '=', email.toLowerCase())
    .where('users.active', '=', true)
    .executeTakeFirst();
  return user ? toViewer('', user) : null;
}

/**
 * The viewer of an active user acting for an agency, for work done on their behalf with no request
 * (a scheduled report): the same roles and visibility as when they log in; null when deactivated.
 */
export async function viewerById(db: Db, userId: number, agencyId: number | null): Promise<Viewer | null> {
  const user = await usersWithAccess(db)
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst();
  return user ? toViewer('', user, agencyId) : null;
}
