// The demo users: the development identity provider offers them on its login page, and the demo data
// (src/demo/) creates them with these agencies and roles.
import type { RoleName } from './viewer.js';

export interface DemoUser {
  email: string;
  name: string;
  agency?: string;
  roles: { role: RoleName; agency?: string; area?: string }[];
}

export const demoUsers: DemoUser[] = [
  {
    email: 'kari@demoetaten.no',
    name: 'Kari Nordmann',
    agency: 'Demoetaten',
    roles: [
      { role: 'professional_user', agency: 'Demoetaten', area: 'lonn' },
      { role: 'authorised_orderer', agency: 'Demoetaten', area: 'lonn' },
      { role: 'mailbox_admin', agency: 'Demoetaten' },
      { role: 'reporter', agency: 'Demoetaten', area: 'lonn' },
    ],
  },
  { email: 'ola@demoetaten.no', name: 'Ola Nordmann', agency: 'Demoetaten', roles: [] },
  {
    email: 'per@testdirektoratet.no',
    name: 'Per Hansen',
    agency: 'Testdirektoratet',
    roles: [{ role: 'professional_user', agency: 'Testdirektoratet', area: 'regnskap' }],
  },
  {
    email: 'siri@kundesenter.no',
    name: 'Siri Saksbehandler',
    roles: [
      { role: 'caseworker', area: 'lonn' },
      { role: 'caseworker', area: 'regnskap' },
    ],
  },
  { email: 'admin@kundesenter.no', name: 'Anne Administrator', roles: [{ role: 'admin' }] },
];
