// Who may do what: one place, named after the action, tested as a table of role × action.
import type { Viewer } from './viewer.js';
import { HttpError } from '../web/errors.js';
import { caseworkerAreaIds, hasRole } from './viewer.js';

export type Action =
  | 'case.create'
  | 'case.list'
  | 'case.readInternal'
  | 'case.answer'
  | 'case.assign'
  | 'access.order'
  | 'work.view'
  | 'admin.view'
  | 'kb.edit'
  | 'kb.readInternal'
  | 'agency.audit'
  | 'agency.accessOverview'
  | 'mailbox.manage'
  | 'agency.appointOrderers'
  | 'report.centre'
  | 'report.agency'
  | 'reporting.view'
  | 'reporting.deliver'
  | 'reporting.centre'
  | 'reporting.appoint';

/** Where an action happens, for actions that depend on it (an access order is for one area). */
export interface Scope {
  areaId?: number;
}

/**
 * Centre staff act for no agency: lists show them queues and the staff columns and filters. What they
 * may do is still decided by `can`; this only says which side of the counter the viewer is on.
 */
export function isCentreStaff(viewer: Viewer): boolean {
  return viewer.agencyId === null;
}

export function can(viewer: Viewer | null, action: Action, scope: Scope = {}): boolean {
  if (!viewer) return false;
  switch (action) {
    case 'access.order':
      // Only an authorised orderer of the agency the viewer acts for, in that area.
      return (
        viewer.agencyId !== null &&
        viewer.roles.some(
          (r) => r.role === 'authorised_orderer' && r.agencyId === viewer.agencyId && r.areaId === scope.areaId,
        )
      );
    case 'case.answer':
    case 'case.assign':
      // Answers, statuses and assignment are for caseworkers of the case's area (and admins).
      return (
        hasRole(viewer, 'admin') || (scope.areaId !== undefined && caseworkerAreaIds(viewer).includes(scope.areaId))
      );
    case 'case.create':
    case 'case.list':
      // Customers act for an agency; centre staff reach cases through the workspace.
      return viewer.agencyId !== null;
    case 'case.readInternal':
    case 'work.view':
      return hasRole(viewer, 'admin') || caseworkerAreaIds(viewer).length > 0;
    case 'admin.view':
      return hasRole(viewer, 'admin');
    case 'kb.edit':
      // Editors write articles and news; admins grant the role and may edit too.
      return hasRole(viewer, 'admin') || hasRole(viewer, 'editor');
    case 'agency.audit':
    case 'agency.accessOverview':
      // Who at the centre read the agency's cases, and who in the agency has which access: for its
      // authorised orderers and power-of-attorney holders.
      return (
        viewer.agencyId !== null &&
        viewer.roles.some(
          (r) => (r.role === 'power_of_attorney' || r.role === 'authorised_orderer') && r.agencyId === viewer.agencyId,
        )
      );
    case 'agency.appointOrderers':
      // Authorised orderers (for their own areas) and power-of-attorney holders appoint orderers in their agency.
      return (
        viewer.agencyId !== null &&
        viewer.roles.some(
          (r) =>
            r.agencyId === viewer.agencyId &&
            (r.role === 'power_of_attorney' ||
              (r.role === 'authorised_orderer' && (scope.areaId === undefined || r.areaId === scope.areaId))),
        )
      );
    case 'mailbox.manage':
      // The agency's shared-mailbox administrators create mailboxes and manage their members.
      return (
        viewer.agencyId !== null &&
        viewer.roles.some((r) => r.role === 'mailbox_admin' && r.agencyId === viewer.agencyId)
      );
    case 'report.centre':
      // The dashboard over the cases the viewer works with: caseworkers (their areas) and admins (all).
      return hasRole(viewer, 'admin') || caseworkerAreaIds(viewer).length > 0;
    case 'report.agency':
      // The agency's own report: for those who already see beyond their own cases or speak for the agency.
      return agencyReportAreas(viewer) !== undefined;
    case 'kb.readInternal':
      return hasRole(viewer, 'admin') || hasRole(viewer, 'editor') || caseworkerAreaIds(viewer).length > 0;
    case 'reporting.view':
      // Periodic reporting: the agency's reporters and power-of-attorney holders, and the centre's side.
      return reportingAreas(viewer) !== undefined || can(viewer, 'reporting.centre');
    case 'reporting.deliver':
      // Only an innrapportør of the agency the viewer acts for (in the scope's area, when one is given).
      return (
        viewer.agencyId !== null &&
        viewer.roles.some(
          (r) =>
            r.role === 'reporter' &&
            r.agencyId === viewer.agencyId &&
            (scope.areaId === undefined || r.areaId === scope.areaId),
        )
      );
    case 'reporting.appoint':
      // Power-of-attorney holders appoint the agency's innrapportører (admins do it on the user's page).
      return (
        viewer.agencyId !== null &&
        viewer.roles.some((r) => r.role === 'power_of_attorney' && r.agencyId === viewer.agencyId)
      );
    case 'reporting.centre':
      // Who has delivered what: caseworkers (their areas) and admins, who act for no agency.
      return viewer.agencyId === null && (hasRole(viewer, 'admin') || caseworkerAreaIds(viewer).length > 0);
  }
}

/** Nobody signed in may do nothing. */
const cannot = (_action: Action) => false;

/** Each viewer's `can` without a scope: see `permissions`. */
const permissionsOf = new WeakMap<Viewer, (action: Action) => boolean>();

/**
 * What the viewer may do without a scope, as `can` answers it, asked through one function per viewer that
 * answers each action once: a page's header and menus ask a dozen times, and a viewer is kept between
 * requests and never changed (a changed grant is a new viewer), so neither the answers nor the function
 * need making again for each request.
 */
export function permissions(viewer: Viewer | null): (action: Action) => boolean {
  if (!viewer) return cannot;
  let ask = permissionsOf.get(viewer);
  if (ask === undefined) {
    const answers = new Map<Action, boolean>();
    ask = (action) => {
      let answer = answers.get(action);
      if (answer === undefined) {
        answer = can(viewer, action);
        answers.set(action, answer);
      }
      return answer;
    };
    permissionsOf.set(viewer, ask);
  }
  return ask;
}

/**
 * The areas whose periodic reports the viewer sees for the agency they act for: every area for a
 * power-of-attorney holder (null), the reporter role's areas for an innrapportør; undefined for others.
 */
export function reportingAreas(viewer: Viewer): number[] | null | undefined {
  if (viewer.agencyId === null) return undefined;
  const roles = viewer.roles.filter((r) => r.agencyId === viewer.agencyId);
  if (roles.some((r) => r.role === 'power_of_attorney')) return null;
  const areas = roles.filter((r) => r.role === 'reporter' && r.areaId !== null).map((r) => r.areaId!);
  return areas.length > 0 ? [...new Set(areas)] : undefined;
}

/**
 * The areas whose figures the viewer may see in their agency's report: every area for a
 * power-of-attorney holder (null), the role's areas for professional users and authorised orderers;
 * undefined for everyone else.
 */
export function agencyReportAreas(viewer: Viewer): number[] | null | undefined {
  if (viewer.agencyId === null) return undefined;
  const roles = viewer.roles.filter((r) => r.agencyId === viewer.agencyId);
  if (roles.some((r) => r.role === 'power_of_attorney')) return null;
  const areas = roles
    .filter((r) => (r.role === 'professional_user' || r.role === 'authorised_orderer') && r.areaId !== null)
    .map((r) => r.areaId!);
  return areas.length > 0 ? [...new Set(areas)] : undefined;
}

/** The signed-in viewer, or a 401 that the error handler turns into a trip to the login page. */
export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new HttpError(401, 'login_required');
  return viewer;
}

/**
 * Missing permission for a page answers 403: the page exists for others. Objects (cases, files, users)
 * outside the viewer's reach answer 404 from their queries instead, so probing ids reveals nothing.
 */
export function requirePermission(viewer: Viewer | null, action: Action): Viewer {
  const signedIn = requireViewer(viewer);
  if (!can(signedIn, action)) throw new HttpError(403, 'forbidden');
  return signedIn;
}
