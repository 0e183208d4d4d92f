// Admin pages for users and roles: grant and revoke with reasons, the rules that keep an agency and
// the centre governable, and ending a user's sessions.
import t from 'tap';
import { addNumberedMembers, build, enquiry, submitCase, text } from './helpers.js';

t.test(
  'admins grant and revoke roles with a reason; their sessions end, and the next login has the new ' +
    'access; every change is in the trail',
  async (t) => {
    const { db, login } = await build(t);
    const ids = async () => {
      const rows = await db.selectFrom('users').select(['id', 'email']).execute();
      const agencies = await db.selectFrom('agencies').select(['id', 'name']).execute();
      const areas = await db.selectFrom('areas').select(['id', 'code']).execute();
      return {
        user: (email: string) => rows.find((r) => r.email === email)!.id,
        agency: (name: string) => agencies.find((a) => a.name === name)!.id,
        area: (code: string) => areas.find((a) => a.code === code)!.id,
      };
    };
    const { user, agency, area } = await ids();
    const kari = await login('kari@demoetaten.no');
    await kari.get('/cases/new?area=lonn&form=henvendelse');
    await submitCase(kari, enquiry('lonn', 'Karis sak om lønn', 'Tekst'));

    let ola = await login('ola@demoetaten.no');
    t.notMatch(text((await ola.get('/cases?scope=agency')).body), 'Karis sak om lønn', 'before: Ola sees only his own');

    const admin = await login('admin@kundesenter.no');
    t.match(text((await admin.get('/admin/users?q=ola')).body), 'Ola Nordmann ola@demoetaten.no Demoetaten Aktiv');
    const page = await admin.get(`/admin/users/${user('ola@demoetaten.no')}`);
    t.equal(page.statusCode, 200);
    const roleCount = async () =>
      (await db.selectFrom('user_roles').select('id').where('user_id', '=', user('ola@demoetaten.no')).execute())
        .length;

    const tries: [Record<string, string>, string][] = [
      [{ role: 'superuser', agency: '', area: '', reason: 'Test' }, 'Velg en rolle fra listen.'],
      [
        { role: 'professional_user', agency: '', area: String(area('lonn')), reason: 'Ny i lønn' },
        'Velg en virksomhet brukeren hører til.',
      ],
      [
        {
          role: 'professional_user',
          agency: String(agency('Testdirektoratet')),
          area: String(area('lonn')),
          reason: 'Ny i lønn',
        },
        'Velg en virksomhet brukeren hører til.',
      ],
      [{ role: 'caseworker', agency: '', area: '999', reason: 'Ny' }, 'Velg et område.'],
      [
        { role: 'professional_user', agency: String(agency('Demoetaten')), area: String(area('lonn')), reason: '' },
        'Skriv en begrunnelse',
      ],
    ];
    for (const [fields, message] of tries) {
      const refused = await admin.post(`/admin/users/${user('ola@demoetaten.no')}/roles`, fields);
      t.equal(refused.statusCode, 422, message);
      t.match(text(refused.body), message);
    }
    t.equal(await roleCount(), 0, 'nothing was granted by the refusals');

    const grant = {
      role: 'professional_user',
      agency: String(agency('Demoetaten')),
      area: String(area('lonn')),
      reason: 'Ny lønnsansvarlig fra 1. desember',
    };
    t.equal((await admin.post(`/admin/users/${user('ola@demoetaten.no')}/roles`, grant)).statusCode, 303);
    t.equal((await ola.get('/cases?scope=agency')).statusCode, 303, "the role change ended Ola's session");
    ola = await login('ola@demoetaten.no');
    t.match(
      text((await ola.get('/cases?scope=agency')).body),
      'Karis sak om lønn',
      "after: the whole agency's lønn cases",
    );
    const duplicate = await admin.post(`/admin/users/${user('ola@demoetaten.no')}/roles`, grant);
    t.match(text(duplicate.body), 'Brukeren har allerede denne rollen.');

    const granted = await db
      .selectFrom('user_roles')
      .select('id')
      .where('user_id', '=', user('ola@demoetaten.no'))
      .executeTakeFirstOrThrow();
    const noReason = await admin.post(`/admin/users/${user('ola@demoetaten.no')}/roles/removal`, {
      role_id: String(granted.id),
      reason: '',
    });
    t.equal(noReason.statusCode, 422);
    t.equal(await roleCount(), 1);
    t.equal(
      (
        await admin.post(`/admin/users/${user('kari@demoetaten.no')}/roles/removal`, {
          role_id: String(granted.id),
          reason: 'Feil person',
        })
      ).statusCode,
      404,
      'a role id of another user is not found',
    );
    t.equal(
      (
        await admin.post(`/admin/users/${user('ola@demoetaten.no')}/roles/removal`, {
          role_id: String(granted.id),
          reason: 'Sluttet i lønn',
        })
      ).statusCode,
      303,
    );
    t.equal((await ola.get('/cases?scope=agency')).statusCode, 303, 'the revoke ended the session too');
    ola = await login('ola@demoetaten.no');
    t.notMatch(text((await ola.get('/cases?scope=agency')).body), 'Karis sak om lønn', 'and the access is gone');

    const trail = await db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', 'in', ['role.grant', 'role.revoke'])
      .orderBy('seq')
      .execute();
    t.same(
      trail.map((e) => [e.action, (e.details as { reason: string }).reason]),
      [
        ['role.grant', 'Ny lønnsansvarlig fra 1. desember'],
        ['role.revoke', 'Sluttet i lønn'],
      ],
      'both with their reasons',
    );

    t.equal((await admin.get('/admin/users/999999')).statusCode, 404);
    t.equal((await ola.get('/admin/users')).statusCode, 403);
    t.equal((await ola.get(`/admin/users/${user('kari@demoetaten.no')}`)).statusCode, 403);
    t.equal(
      (await ola.post(`/admin/users/${user('kari@demoetaten.no')}/sessions/end`, {})).statusCode,
      403,
      "nor end someone's sessions",
    );
    t.equal(
      (await ola.post(`/admin/users/${user('kari@demoetaten.no')}/roles/removal`, { role_id: '1', reason: 'Fjern' }))
        .statusCode,
      403,
      'nor remove a role',
    );
    t.equal(
      (await ola.post(`/admin/users/${user('ola@demoetaten.no')}/roles`, { ...grant, role: 'admin' })).statusCode,
      403,
      'a customer cannot grant themselves a role',
    );
  },
);

t.test('the last power-of-attorney holder of an agency and the last admin cannot be removed', async (t) => {
  const { db, login } = await build(t);
  const users = Object.fromEntries(
    (await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, u.id]),
  );
  const demoetaten = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
  ).id;
  const admin = await login('admin@kundesenter.no');
  await admin.get('/admin/users');
  await admin.post(`/admin/users/${users['ola@demoetaten.no']}/roles`, {
    role: 'power_of_attorney',
    agency: String(demoetaten),
    area: '',
    reason: 'Signert fullmakt mottatt',
  });
  const attorney = await db
    .selectFrom('user_roles')
    .select('id')
    .where('role', '=', 'power_of_attorney')
    .executeTakeFirstOrThrow();
  const last = await admin.post(`/admin/users/${users['ola@demoetaten.no']}/roles/removal`, {
    role_id: String(attorney.id),
    reason: 'Sluttet',
  });
  t.equal(last.statusCode, 422);
  t.match(text(last.body), 'Dette er den siste med fullmakt i virksomheten.');

  await admin.post(`/admin/users/${users['kari@demoetaten.no']}/roles`, {
    role: 'power_of_attorney',
    agency: String(demoetaten),
    area: '',
    reason: 'Ny fullmakt',
  });
  t.equal(
    (
      await admin.post(`/admin/users/${users['ola@demoetaten.no']}/roles/removal`, {
        role_id: String(attorney.id),
        reason: 'Sluttet',
      })
    ).statusCode,
    303,
    'with another holder it can go',
  );

  const adminRole = await db
    .selectFrom('user_roles')
    .select('id')
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  const lastAdmin = await admin.post(`/admin/users/${users['admin@kundesenter.no']}/roles/removal`, {
    role_id: String(adminRole.id),
    reason: 'Test',
  });
  t.equal(lastAdmin.statusCode, 422);
  t.match(text(lastAdmin.body), 'Dette er den siste administratoren.');
});

t.test("an admin ends a user's sessions", async (t) => {
  const { db, login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/cases')).statusCode, 200);
  const olaId = (
    await db.selectFrom('users').select('id').where('email', '=', 'ola@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  const admin = await login('admin@kundesenter.no');
  t.match(text((await admin.get(`/admin/users/${olaId}`)).body), 'Aktive økter 1');
  const ended = await admin.post(`/admin/users/${olaId}/sessions/end`, {});
  t.equal(ended.statusCode, 303);
  t.match(text((await admin.get(`/admin/users/${olaId}`)).body), '1 økter er avsluttet.');
  t.not((await ola.get('/cases')).statusCode, 200, 'his next click asks him to log in again');
  t.equal((await admin.get('/admin/users')).statusCode, 200, "the admin's own session goes on");
});

t.test(
  'admins deactivate and reactivate users with a reason; the sessions end; the last holders are kept',
  async (t) => {
    const { db, login, attemptLogin } = await build(t);
    const ids = Object.fromEntries(
      (await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, String(u.id)]),
    );
    const ola = await login('ola@demoetaten.no');
    const admin = await login('admin@kundesenter.no');
    await admin.get(`/admin/users/${ids['ola@demoetaten.no']}`);
    const noReason = await admin.post(`/admin/users/${ids['ola@demoetaten.no']}/active`, {
      active: 'false',
      reason: '',
    });
    t.equal(noReason.statusCode, 422);
    t.match(text(noReason.body), 'Skriv en begrunnelse');
    t.equal((await ola.get('/cases')).statusCode, 200, 'nothing changed by the refusal');

    t.equal(
      (
        await admin.post(`/admin/users/${ids['ola@demoetaten.no']}/active`, {
          active: 'false',
          reason: 'Sluttet 1. november',
        })
      ).statusCode,
      303,
    );
    t.equal((await ola.get('/cases')).statusCode, 303, 'his session ended at once');
    const refused = await attemptLogin('ola@demoetaten.no');
    t.equal(refused.callback.statusCode, 403);
    t.match(text(refused.callback.body), 'deaktivert');
    t.match(text((await admin.get(`/admin/users/${ids['ola@demoetaten.no']}`)).body), 'Status: Deaktivert');
    t.equal(
      (
        await admin.post(`/admin/users/${ids['ola@demoetaten.no']}/active`, {
          active: 'true',
          reason: 'Tilbake i jobb',
        })
      ).statusCode,
      303,
    );
    t.equal((await attemptLogin('ola@demoetaten.no')).callback.statusCode, 303, 'and back in after reactivation');

    const self = await admin.post(`/admin/users/${ids['admin@kundesenter.no']}/active`, {
      active: 'false',
      reason: 'Tester',
    });
    t.match(text(self.body), 'Du kan ikke deaktivere deg selv');
    const agency = (
      await db.selectFrom('agencies').select('id').where('name', '=', 'Testdirektoratet').executeTakeFirstOrThrow()
    ).id;
    await db
      .insertInto('user_roles')
      .values({ user_id: Number(ids['per@testdirektoratet.no']), role: 'power_of_attorney', agency_id: agency })
      .execute();
    const last = await admin.post(`/admin/users/${ids['per@testdirektoratet.no']}/active`, {
      active: 'false',
      reason: 'Sluttet',
    });
    t.equal(last.statusCode, 422);
    t.match(text(last.body), 'fullmakt');
    t.equal(
      (
        await db
          .selectFrom('users')
          .select('active')
          .where('email', '=', 'per@testdirektoratet.no')
          .executeTakeFirstOrThrow()
      ).active,
      true,
    );
    const trail = await db
      .selectFrom('audit_log')
      .select('details')
      .where('object_type', '=', 'user')
      .where('action', '=', 'admin.change')
      .orderBy('seq')
      .execute();
    t.same(
      trail.map((e) => (e.details as { active: boolean }).active),
      [false, true],
      'both changes, with their reasons, in the audit trail',
    );
  },
);

t.test('admin lists of people are paged tables, searched by name or e-mail, numbers in order', async (t) => {
  const { login, db } = await build(t);
  const agency = { id: await addNumberedMembers(db, '910000001', 60, 'b') };
  const admin = await login('admin@kundesenter.no');
  const rowNames = (body: string) =>
    [...body.matchAll(/<th scope="row"><a class="ds-link" href="\/admin\/users\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]);

  const list = await admin.get('/admin/users?q=bruker');
  t.match(text(list.body), 'Viser 1–50 av 60');
  t.same(
    rowNames(list.body).slice(0, 11),
    Array.from({ length: 11 }, (_, i) => `Bruker ${i + 1}`),
    'Bruker 2 before Bruker 10',
  );
  const second = await admin.get('/admin/users?q=bruker&page=2');
  t.same(
    rowNames(second.body),
    Array.from({ length: 10 }, (_, i) => `Bruker ${51 + i}`),
    'the second page',
  );

  const members = await admin.get(`/admin/agencies/${agency.id}?who=b1`);
  t.equal(members.statusCode, 200);
  t.match(text(members.body), 'Viser 1–11 av 11', 'b1, b10–b19 by e-mail');
  t.same(rowNames(members.body), ['Bruker 1', ...Array.from({ length: 10 }, (_, i) => `Bruker ${10 + i}`)]);
  const all = await admin.get(`/admin/agencies/${agency.id}`);
  t.match(all.body, /rel="next" href="\/admin\/agencies\/\d+\?page=2#members-heading"/, 'a next page of members');

  await db
    .insertInto('agencies')
    .values(Array.from({ length: 60 }, (_, i) => ({ name: `Etat nr ${i + 1}`, org_number: String(920000000 + i) })))
    .execute();
  const agencyNames = (body: string) =>
    [...body.matchAll(/<td><a class="ds-link" href="\/admin\/agencies\/\d+">([^<]+)<\/a><\/td>/g)].map((m) => m[1]);
  const agencies = await admin.get('/admin/agencies?q=Etat%20nr');
  t.match(text(agencies.body), 'Viser 1–50 av 60', 'agencies are paged too, none silently left out');
  t.same(
    agencyNames(agencies.body).slice(0, 10),
    Array.from({ length: 10 }, (_, i) => `Etat nr ${i + 1}`),
  );
  t.same(
    agencyNames((await admin.get('/admin/agencies?q=Etat%20nr&page=2')).body),
    Array.from({ length: 10 }, (_, i) => `Etat nr ${51 + i}`),
  );
});
