// Who is asking: built once per request from the server-side session row.
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import type { Language } from '../web/i18n.js';

export type RoleName = 'caseworker' | 'admin' | 'professional_user' | 'authorised_orderer' | 'power_of_attorney' | 'editor';

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
  readonly roles: readonly Role[];
  /** Caseworker groups (teams) the user belongs to. */
  readonly groupIds: readonly number[];
}

export function hasRole(viewer: Viewer, role: RoleName): boolean {
  return viewer.roles.some((r) => r.role === role);
}

/** Areas a caseworker works in. */
export function caseworkerAreaIds(viewer: Viewer): number[] {
  return viewer.roles.filter((r) => r.role === 'caseworker' && r.areaId !== null).map((r) => r.areaId!);
}

// Inactivity and absolute limits; per-role settings come with the access issue.
const idleMinutes = 120;
const absoluteHours = 12;

export async function loadViewer(db: Db, sessionId: string): Promise<Viewer | null> {
  if (!/^[0-9a-f-]{36}$/.test(sessionId)) return null;
  // One round trip per request: the session, its user, their roles and agencies.
  const session = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select((eb) => [
      'sessions.id',
      'sessions.last_seen_at',
      'users.id as userId',
      'users.name',
      'users.email',
      'users.language',
      jsonArrayFrom(
        eb.selectFrom('user_roles').select(['role', 'agency_id', 'area_id']).whereRef('user_roles.user_id', '=', 'users.id'),
      ).as('roles'),
      jsonArrayFrom(
        eb.selectFrom('agency_members').select('agency_id').whereRef('agency_members.user_id', '=', 'users.id').orderBy('agency_id'),
      ).as('memberships'),
      jsonArrayFrom(eb.selectFrom('group_members').select('group_id').whereRef('group_members.user_id', '=', 'users.id')).as('groups'),
    ])
    .where('sessions.id', '=', sessionId)
    .where('sessions.revoked_at', 'is', null)
    .where('users.active', '=', true)
    .where('sessions.created_at', '>', new Date(Date.now() - absoluteHours * 3_600_000))
    .where('sessions.last_seen_at', '>', new Date(Date.now() - idleMinutes * 60_000))
    .executeTakeFirst();
  if (!session) return null;
  if (Date.now() - new Date(session.last_seen_at).getTime() > 60_000) {
    await db.updateTable('sessions').set({ last_seen_at: new Date() }).where('id', '=', session.id).execute();
  }
  const agencyIds = session.memberships.map((m) => Number(m.agency_id));
  return {
    sessionId: session.id,
    userId: session.userId,
    name: session.name,
    email: session.email,
    language: session.language === 'nb' || session.language === 'en' ? session.language : null,
    agencyId: agencyIds[0] ?? null,
    agencyIds,
    roles: session.roles.map((r) => ({
      role: r.role as RoleName,
      agencyId: r.agency_id === null ? null : Number(r.agency_id),
      areaId: r.area_id === null ? null : Number(r.area_id),
    })),
    groupIds: session.groups.map((g) => Number(g.group_id)),
  };
}
