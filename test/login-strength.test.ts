// Login strength by role (acr/amr with a step-up) and self-registration by e-mail domain, through the
// real OIDC flow against the development provider, which can issue both ID-porten levels.
import t from 'tap';
import { build, text } from './helpers.js';

const substantial = 'idporten-loa-substantial';
const high = 'idporten-loa-high';

t.test(
  'a caseworker who logs in at the customer level is sent back for a step-up, and refused if it still falls short',
  async (t) => {
    const { attemptLogin, db } = await build(t);
    const { client, callback } = await attemptLogin('siri@kundesenter.no', [substantial, substantial]);
    t.equal(callback.statusCode, 403);
    t.match(text(callback.body), 'Innloggingen er ikke sikker nok');
    t.equal(client.providerVisits, 2, 'one step-up, then the refusal');
    t.equal((await client.get('/work')).statusCode, 303, 'not signed in');
    t.equal(
      Number(
        (
          await db
            .selectFrom('sessions')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
      0,
      'no session was started',
    );
  },
);

t.test('the step-up to the high level lets the caseworker in, and the session records it', async (t) => {
  const { attemptLogin, db } = await build(t);
  const { client, callback } = await attemptLogin('siri@kundesenter.no', [substantial, high]);
  t.equal(callback.statusCode, 303);
  t.equal(client.providerVisits, 2, 'the provider was asked twice');
  t.equal((await client.get('/work')).statusCode, 200);
  const session = await db.selectFrom('sessions').select(['acr', 'amr']).executeTakeFirstOrThrow();
  t.equal(session.acr, high);
  t.same(session.amr, ['mfa', 'otp']);
});

t.test(
  'a customer is let in at the substantial level without a step-up; a stricter setting asks them for more',
  async (t) => {
    const plain = await build(t);
    const { client, callback } = await plain.attemptLogin('per@testdirektoratet.no', [substantial, substantial]);
    t.equal(callback.statusCode, 303, 'substantial is enough for a customer by default');
    t.equal(client.providerVisits, 1, 'without a step-up');

    const strict = await build(t, { env: { LOGIN_LEVEL_CUSTOMER: high } });
    const refused = await strict.attemptLogin('per@testdirektoratet.no', [substantial, substantial]);
    t.equal(refused.callback.statusCode, 403);
    const steppedUp = await strict.attemptLogin('per@testdirektoratet.no', [substantial, high]);
    t.equal(steppedUp.callback.statusCode, 303);
  },
);

t.test(
  'an innrapportør needs LOGIN_LEVEL_REPORTING (two-factor by default): a weaker login is stepped up, and the setting can lower it',
  async (t) => {
    const strict = await build(t);
    const refused = await strict.attemptLogin('kari@demoetaten.no', [substantial, substantial]);
    t.equal(refused.callback.statusCode, 403, 'substantial is not enough to deliver reports');
    t.equal(refused.client.providerVisits, 2, 'after one step-up');
    const steppedUp = await strict.attemptLogin('kari@demoetaten.no', [substantial, high]);
    t.equal(steppedUp.callback.statusCode, 303);
    t.equal((await steppedUp.client.get('/reporting')).statusCode, 200, 'and she reaches her reporting');

    const relaxed = await build(t, { env: { LOGIN_LEVEL_REPORTING: substantial } });
    const plain = await relaxed.attemptLogin('kari@demoetaten.no', [substantial, substantial]);
    t.equal(plain.callback.statusCode, 303, 'with the setting lowered, substantial will do');
    t.equal(plain.client.providerVisits, 1);
  },
);

t.test('demo users get the level their roles need by default: one visit to the provider', async (t) => {
  const { attemptLogin } = await build(t);
  for (const email of ['siri@kundesenter.no', 'admin@kundesenter.no', 'kari@demoetaten.no']) {
    const { client, callback } = await attemptLogin(email);
    t.equal(callback.statusCode, 303, email);
    t.equal(client.providerVisits, 1, `${email} without a step-up`);
  }
});

t.test("a role change ends the user's sessions, so the next login meets the new role's level", async (t) => {
  const { login, attemptLogin, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/cases')).statusCode, 200);
  const admin = await login('admin@kundesenter.no');
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  const area = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  await admin.get(`/admin/users/${user.id}`);
  const grant = await admin.post(`/admin/users/${user.id}/roles`, {
    role: 'caseworker',
    area: String(area.id),
    reason: 'Begynner i lønnsteamet',
  });
  t.equal(grant.statusCode, 303);
  t.equal((await ola.get('/cases')).statusCode, 303, 'the open session is gone');
  const weak = await attemptLogin('ola@demoetaten.no', [substantial, substantial]);
  t.equal(weak.callback.statusCode, 403, 'a caseworker now needs the high level');
});

t.test(
  'self-registration: the e-mail domain must belong to the chosen agency; the new user gets no roles',
  async (t) => {
    const { attemptLogin, db } = await build(t);
    // Testdirektoratet opens for self-registration too, so a person can pick an agency that is not theirs.
    await db.updateTable('agencies').set({ self_registration: true }).where('name', '=', 'Testdirektoratet').execute();
    const { client, callback } = await attemptLogin('nina@demoetaten.no');
    t.equal(callback.statusCode, 303);
    t.equal(callback.headers.location, '/register');
    const page = await client.get('/register');
    t.equal(page.statusCode, 200);
    t.match(
      page.body,
      /<optgroup label="Passer med e-postadressen din">\s*<option value="\d+">Demoetaten \(910000001\)/,
    );

    const agencies = new Map(
      (await db.selectFrom('agencies').select(['id', 'name']).execute()).map((a) => [a.name, String(a.id)]),
    );
    const wrong = await client.post('/register', { agency: agencies.get('Testdirektoratet')! });
    t.equal(wrong.statusCode, 422);
    t.match(text(wrong.body), 'E-postadressen nina@demoetaten.no hører ikke til virksomheten du valgte');
    t.notOk(
      await db.selectFrom('users').select('id').where('email', '=', 'nina@demoetaten.no').executeTakeFirst(),
      'nothing written',
    );

    const unknown = await client.post('/register', { agency: '999999' });
    t.equal(unknown.statusCode, 422);
    t.match(text(unknown.body), 'Velg en virksomhet fra listen');

    const done = await client.post('/register', { agency: agencies.get('Demoetaten')! });
    t.equal(done.statusCode, 303);
    const cases = await client.get('/cases');
    t.equal(cases.statusCode, 200);
    t.match(text(cases.body), 'Du er registrert');
    const nina = await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'nina@demoetaten.no')
      .executeTakeFirstOrThrow();
    t.same(
      await db.selectFrom('user_roles').select('role').where('user_id', '=', nina.id).execute(),
      [],
      'no roles until granted',
    );
    const member = await db.selectFrom('agency_members').select('agency_id').where('user_id', '=', nina.id).execute();
    t.same(
      member.map((m) => String(m.agency_id)),
      [agencies.get('Demoetaten')],
    );
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('action', '=', 'user.register')
      .executeTakeFirstOrThrow();
    t.match(audit.actor_name, 'nina@demoetaten.no');

    // Logging in again finds the user: no second registration.
    const again = await attemptLogin('nina@demoetaten.no');
    t.equal(again.callback.headers.location, '/cases');
  },
);

t.test(
  'self-registration is not offered where no open agency knows the domain, nor without a fresh login',
  async (t) => {
    const { attemptLogin, db, client } = await build(t);
    const { callback } = await attemptLogin('someone@testdirektoratet.no');
    t.equal(callback.statusCode, 403, 'Testdirektoratet does not take self-registrations');
    t.match(text(callback.body), 'Du har ikke tilgang');
    const stray = client();
    t.equal((await stray.get('/register')).statusCode, 400);
    await stray.get('/');
    t.equal((await stray.post('/register', { agency: '1' })).statusCode, 400);
    t.notOk(
      await db.selectFrom('users').select('id').where('email', '=', 'someone@testdirektoratet.no').executeTakeFirst(),
    );
  },
);
