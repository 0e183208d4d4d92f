// The only way any code reaches cases. Denies by default; each role widens what a viewer sees.
import { sql, type ExpressionBuilder, type Expression, type SqlBool } from 'kysely';
import type { Db } from '../db/index.js';
import type { DB } from '../db/schema.js';
import { activeMailboxes, caseworkerAreaIds, hasRole, type Viewer } from '../auth/viewer.js';
import { agencyReportAreas, can } from '../auth/guards.js';

export function visibleCases(db: Db, viewer: Viewer) {
  return db.selectFrom('cases').where((eb) => caseVisibleTo(eb, viewer));
}

/**
 * Within a visible case, internal notes (and the files on them) are for those who may read them. Events
 * of a case are reached only through this rule; `null` kinds are files that belong to no event.
 */
export function hidesInternalNotes(viewer: Viewer | null): boolean {
  return !can(viewer, 'case.readInternal');
}

export function notAnInternalNote(eb: ExpressionBuilder<DB, 'case_events'>): Expression<SqlBool> {
  // Handling events (category, priority, resolution, time spent) are the centre's own, like notes.
  return eb.or([eb('case_events.kind', 'is', null), eb('case_events.kind', 'not in', ['internal_note', 'handling'])]);
}

/**
 * What makes a case the viewer's own: they sent it, or it was sent as one of their shared mailboxes
 * (its members share those cases). The "Mine" list and visibility both use this one rule.
 */
export function ownCaseGrants(eb: ExpressionBuilder<DB, 'cases'>, viewer: Viewer): Expression<SqlBool>[] {
  const mailboxIds = activeMailboxes(viewer).map((m) => m.id);
  const grants = [eb('cases.requester_id', '=', viewer.userId)];
  if (mailboxIds.length > 0) grants.push(eb('cases.shared_mailbox_id', 'in', mailboxIds));
  return grants;
}

export function caseVisibleTo(eb: ExpressionBuilder<DB, 'cases'>, viewer: Viewer): Expression<SqlBool> {
  if (hasRole(viewer, 'admin')) return sql<SqlBool>`true`;
  const grants: Expression<SqlBool>[] = [];
  if (viewer.agencyId !== null) {
    // A customer sees their own cases in the agency they act for now.
    for (const own of ownCaseGrants(eb, viewer))
      grants.push(eb.and([own, eb('cases.agency_id', '=', viewer.agencyId)]));
    for (const role of viewer.roles) {
      if (role.role === 'professional_user' && role.agencyId === viewer.agencyId && role.areaId !== null) {
        grants.push(eb.and([eb('cases.agency_id', '=', role.agencyId), eb('cases.area_id', '=', role.areaId)]));
      }
    }
  }
  const areas = caseworkerAreaIds(viewer);
  if (areas.length > 0) grants.push(eb('cases.area_id', 'in', areas));
  return grants.length > 0 ? eb.or(grants) : sql<SqlBool>`false`;
}

/**
 * The cases an agency's report counts: every case of the agency the viewer acts for, in the areas
 * their role covers (all for a power-of-attorney holder). Only for aggregates: a row of it is never
 * shown, so it may reach cases the viewer cannot open; another agency's cases never.
 */
export function agencyReportCases(db: Db, viewer: Viewer) {
  const areas = agencyReportAreas(viewer);
  if (viewer.agencyId === null || areas === undefined) return db.selectFrom('cases').where(sql<SqlBool>`false`);
  const agency = db.selectFrom('cases').where('cases.agency_id', '=', viewer.agencyId);
  return areas === null ? agency : agency.where('cases.area_id', 'in', areas.length > 0 ? areas : [0]);
}
