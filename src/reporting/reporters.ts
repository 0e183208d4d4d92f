// The agency's innrapportører: who holds the role in which area, and the power-of-attorney holder's
// verbs to appoint and remove them (through the role grants every page uses, with a reason in the trail).
import type { Audit } from '../audit/log.js';
import { grantRole, revokeRole } from '../auth/roles.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { idOf, type Problems } from '../web/input.js';

export async function agencyReporters(db: Db, agencyId: number) {
  const [reporters, members, areas] = await Promise.all([
    db
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .innerJoin('areas', 'areas.id', 'user_roles.area_id')
      .select(['user_roles.id', 'users.name', 'users.email', 'areas.name_nb', 'areas.name_en'])
      .where('user_roles.role', '=', 'reporter')
      .where('user_roles.agency_id', '=', agencyId)
      .orderBy('areas.sort_order')
      .orderBy('users.name')
      .execute(),
    db
      .selectFrom('agency_members')
      .innerJoin('users', 'users.id', 'agency_members.user_id')
      .select(['users.id', 'users.name', 'users.email'])
      .where('agency_members.agency_id', '=', agencyId)
      .where('users.active', '=', true)
      .orderBy('users.name')
      .execute(),
    // The areas the agency buys: the ones it reports in.
    db
      .selectFrom('agency_areas')
      .innerJoin('areas', 'areas.id', 'agency_areas.area_id')
      .select(['areas.id', 'areas.name_nb', 'areas.name_en'])
      .where('agency_areas.agency_id', '=', agencyId)
      .orderBy('areas.sort_order')
      .execute(),
  ]);
  return { reporters, members, areas };
}

export interface ReporterAppointment {
  user: string;
  area: string;
  reason: string;
}

/** Appoints an innrapportør in the viewer's agency (the route has checked the viewer's power of attorney). */
export async function appointReporter(db: Db, audit: Audit, viewer: Viewer, input: ReporterAppointment) {
  const { areas } = await agencyReporters(db, viewer.agencyId!);
  const problems: Problems = {};
  if (idOf(input.user) === undefined) problems.user = { key: 'me.orderers.errors.user' };
  if (!areas.some((a) => String(a.id) === input.area)) problems.area = { key: 'me.orderers.errors.area' };
  if (Object.keys(problems).length > 0) return problems;
  const refused = await grantRole(db, audit, Number(input.user), {
    role: 'reporter',
    agency: String(viewer.agencyId),
    area: input.area,
    reason: input.reason,
  });
  return refused.agency ? { user: { key: 'me.orderers.errors.user' } } : refused;
}

/** Removes an innrapportør of the viewer's agency; another agency's role is not found (undefined). */
export async function removeReporter(db: Db, audit: Audit, viewer: Viewer, roleId: string, reason: string) {
  const id = idOf(roleId);
  const role =
    id === undefined
      ? undefined
      : await db
          .selectFrom('user_roles')
          .select(['id', 'user_id'])
          .where('id', '=', id)
          .where('role', '=', 'reporter')
          .where('agency_id', '=', viewer.agencyId!)
          .executeTakeFirst();
  if (!role) return undefined;
  return revokeRole(db, audit, role.user_id, role.id, reason);
}
