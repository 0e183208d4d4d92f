// Viewers made up for tests of rules alone, with no session or database behind them.
import type { Role, Viewer } from '../src/auth/viewer.js';

/** A viewer made up for a test of rules alone (no session behind it): acting for `agencyId`, with `roles`. */
export const standInViewer = (agencyId: number | null, roles: Role[]): Viewer => ({
  sessionId: '00000000-0000-0000-0000-000000000000',
  userId: 1,
  name: 'Test',
  email: 'test@example.no',
  language: null,
  agencyId,
  agencyIds: agencyId === null ? [] : [agencyId],
  agencies: agencyId === null ? [] : [{ id: agencyId, name: 'Etaten' }],
  roles,
  groupIds: [],
  mailboxes: [],
  caseListColumns: [],
  consultant: false,
  consentPending: false,
});
