import t from 'tap';
import { agencyReportAreas, can, permissions, type Action } from '../src/auth/guards.js';
import type { Viewer } from '../src/auth/viewer.js';
import { standInViewer } from './viewers.js';

const viewer = standInViewer;

const people: Record<string, Viewer | null> = {
  anonymous: null,
  customer: viewer(1, []),
  professional: viewer(1, [{ role: 'professional_user', agencyId: 1, areaId: 1 }]),
  caseworker: viewer(null, [{ role: 'caseworker', agencyId: null, areaId: 1 }]),
  admin: viewer(null, [{ role: 'admin', agencyId: null, areaId: null }]),
  orderer: viewer(1, [{ role: 'authorised_orderer', agencyId: 1, areaId: 1 }]),
  ordererElsewhere: viewer(1, [{ role: 'authorised_orderer', agencyId: 2, areaId: 1 }]),
  caseworkerOtherArea: viewer(null, [{ role: 'caseworker', agencyId: null, areaId: 2 }]),
  editor: viewer(null, [{ role: 'editor', agencyId: null, areaId: null }]),
  attorney: viewer(1, [{ role: 'power_of_attorney', agencyId: 1, areaId: null }]),
  mailboxAdmin: viewer(1, [{ role: 'mailbox_admin', agencyId: 1, areaId: null }]),
  mailboxAdminElsewhere: viewer(1, [{ role: 'mailbox_admin', agencyId: 2, areaId: null }]),
  reporter: viewer(1, [{ role: 'reporter', agencyId: 1, areaId: 1 }]),
  reporterOtherArea: viewer(1, [{ role: 'reporter', agencyId: 1, areaId: 2 }]),
  reporterElsewhere: viewer(1, [{ role: 'reporter', agencyId: 2, areaId: 1 }]),
};

// Scoped actions are checked in area 1.
const table: Record<Action, string[]> = {
  'case.create': [
    'customer',
    'professional',
    'orderer',
    'ordererElsewhere',
    'attorney',
    'mailboxAdmin',
    'mailboxAdminElsewhere',
    'reporter',
    'reporterOtherArea',
    'reporterElsewhere',
  ],
  'case.list': [
    'customer',
    'professional',
    'orderer',
    'ordererElsewhere',
    'attorney',
    'mailboxAdmin',
    'mailboxAdminElsewhere',
    'reporter',
    'reporterOtherArea',
    'reporterElsewhere',
  ],
  'case.readInternal': ['caseworker', 'admin', 'caseworkerOtherArea'],
  'case.answer': ['caseworker', 'admin'],
  'case.assign': ['caseworker', 'admin'],
  'access.order': ['orderer'],
  'work.view': ['caseworker', 'admin', 'caseworkerOtherArea'],
  'admin.view': ['admin'],
  'kb.edit': ['admin', 'editor'],
  'kb.readInternal': ['caseworker', 'admin', 'caseworkerOtherArea', 'editor'],
  'agency.audit': ['orderer', 'attorney'],
  'agency.accessOverview': ['orderer', 'attorney'],
  'mailbox.manage': ['mailboxAdmin'],
  'agency.appointOrderers': ['orderer', 'attorney'],
  'report.centre': ['caseworker', 'admin', 'caseworkerOtherArea'],
  // An orderer of another agency reports on nothing in the agency they act for.
  'report.agency': ['professional', 'orderer', 'attorney'],
  // Reporters see their areas' reports; power-of-attorney holders see all of the agency's (not deliver).
  'reporting.view': ['caseworker', 'admin', 'caseworkerOtherArea', 'attorney', 'reporter', 'reporterOtherArea'],
  'reporting.deliver': ['reporter'],
  'reporting.centre': ['caseworker', 'admin', 'caseworkerOtherArea'],
  'reporting.appoint': ['attorney'],
};

t.test('role × action table', async (t) => {
  for (const [action, allowed] of Object.entries(table) as [Action, string[]][]) {
    for (const [who, person] of Object.entries(people)) {
      t.equal(
        can(person, action, { areaId: 1 }),
        allowed.includes(who),
        `${who} ${allowed.includes(who) ? 'may' : 'may not'} ${action}`,
      );
    }
  }
});

t.test('what a page asks without a scope is answered as `can` answers it, per viewer', async (t) => {
  for (const action of Object.keys(table) as Action[]) {
    for (const [who, person] of Object.entries(people)) {
      // Twice: the second answer is the remembered one.
      for (const time of ['first', 'again'])
        t.equal(permissions(person)(action), can(person, action), `${who} ${action} (${time})`);
    }
  }
  // A grant taken away makes a new viewer, which is asked afresh: nothing carries over from the old one.
  const before = viewer(null, [{ role: 'admin', agencyId: null, areaId: null }]);
  t.ok(permissions(before)('admin.view'), 'an admin may open the admin pages');
  const after = viewer(null, []);
  t.notOk(permissions(after)('admin.view'), 'the same user without the role may not');
  t.ok(permissions(before)('admin.view'), 'the old viewer keeps its own answer');
  t.equal(permissions(before), permissions(before), 'one function per viewer, made once');
});

t.test("an agency report covers every area for a power-of-attorney holder, the role's areas for others", async (t) => {
  t.equal(agencyReportAreas(people.attorney!), null);
  t.same(agencyReportAreas(people.professional!), [1]);
  t.same(agencyReportAreas(people.orderer!), [1]);
  t.equal(agencyReportAreas(people.customer!), undefined);
  t.equal(agencyReportAreas(people.ordererElsewhere!), undefined);
  t.equal(agencyReportAreas(people.caseworker!), undefined);
});
