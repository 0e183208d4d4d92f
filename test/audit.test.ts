// The audit trail: what is recorded, who sees it, and that tampering is found.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { sql } from 'kysely';
import { build, enquiry, submitCase, text } from './helpers.js';
import { appendAudit, chainAudit, verifyAudit } from '../src/audit/log.js';
import { until } from './processes.js';

const unlinked = async (app: Awaited<ReturnType<typeof build>>) =>
  Number(
    (
      await app.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('seq', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The trail in chain order, once the app's chainer has linked every entry (it runs after each answer). */
const entries = async (app: Awaited<ReturnType<typeof build>>) => {
  await until('the chainer to link every entry', 10_000, async () => ((await unlinked(app)) === 0 ? true : undefined));
  return app.db
    .selectFrom('audit_log')
    .select(['seq', 'action', 'actor_name', 'object_id', 'agency_id', 'ip'])
    .orderBy('seq')
    .execute();
};

t.test(
  'centre reads, downloads, status changes, access orders and role grants are recorded, in order, with ' +
    'who and from where',
  async (t) => {
    const app = await build(t);
    const kari = await app.login('kari@demoetaten.no');
    await kari.get('/cases/new?area=lonn&form=henvendelse');
    const created = await submitCase(kari, enquiry('lonn', 'Lønnsslipp mangler', 'Finner den ikke.'), [
      { name: 'slipp.pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') },
    ]);
    const number = String(created.headers.location).split('/').pop()!;
    await kari.get(`/cases/${number}`);
    t.same(await entries(app), [], 'a customer reading their own case is not a centre read');

    const siri = await app.login('siri@kundesenter.no');
    const page = await siri.get(`/cases/${number}`);
    const file = /href="(\/cases\/[^"]+\/attachments\/\d+)"/.exec(page.body)![1]!;
    t.equal((await siri.get(file)).statusCode, 200);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    t.equal(
      (
        await siri.post(`/cases/${number}/messages`, {
          kind: 'answer',
          message: 'Den er sendt på nytt.',
          status: 'closed',
          version,
        })
      ).statusCode,
      303,
    );

    await kari.get('/cases/new?area=lonn&form=tilgang');
    const order = await kari.post('/cases', {
      area: 'lonn',
      form_code: 'tilgang',
      title: 'Tilgang for ny ansatt',
      body: 'Ny medarbeider.',
      f_system: 'sap',
      f_change: 'new',
      f_person_name: 'Nina Ny',
      f_employee_number: '10234',
      f_org_unit: 'Lønn',
      f_roles: 'Lønnsmedarbeider',
      f_valid_from: '2026-12-01',
    });
    t.equal(order.statusCode, 303);

    const admin = await app.login('admin@kundesenter.no');
    await admin.get('/admin/editors');
    await admin.post('/admin/editors', { email: 'ola@demoetaten.no' });

    const demoetaten = (
      await app.db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
    ).id;
    const log = await entries(app);
    t.same(
      log.map((e) => [e.seq, e.action, e.actor_name, e.agency_id]),
      [
        [1, 'case.read', 'Siri Saksbehandler', demoetaten],
        [2, 'attachment.download', 'Siri Saksbehandler', demoetaten],
        [3, 'case.status', 'Siri Saksbehandler', demoetaten],
        [4, 'access.order', 'Kari Nordmann', demoetaten],
        [5, 'role.grant', 'Anne Administrator', null],
      ],
    );
    t.ok(
      log.every((e) => e.ip === '127.0.0.1'),
      'from where',
    );
    t.ok((await verifyAudit(app.db, app.config.auditKey)).ok, 'the chain holds');
  },
);

t.test("an agency's authorised staff see who at the centre read its cases, never another agency's", async (t) => {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const number = String((await submitCase(ola, enquiry('lonn', 'Feriepenger', 'Når?'))).headers.location)
    .split('/')
    .pop()!;
  const per = await app.login('per@testdirektoratet.no');
  await per.get('/cases/new?area=regnskap&form=henvendelse');
  const perNumber = String((await submitCase(per, enquiry('regnskap', 'Faktura', 'Feil beløp'))).headers.location)
    .split('/')
    .pop()!;
  const siri = await app.login('siri@kundesenter.no');
  await siri.get(`/cases/${number}`);
  await siri.get(`/cases/${perNumber}`);

  const kari = await app.login('kari@demoetaten.no');
  const reads = text((await kari.get('/me/reads')).body);
  t.match(
    reads,
    `Siri Saksbehandler Åpnet sak ${number}`,
    "the authorised orderer sees the read of a colleague's case",
  );
  t.notMatch(reads, perNumber, 'and nothing of another agency');
  t.match(text((await kari.get('/me')).body), 'Innsyn i lesing', 'linked from Min side');

  t.equal((await ola.get('/me/reads')).statusCode, 403, 'a customer without the role is refused');
  t.notMatch(text((await ola.get('/')).body), 'Innsyn i lesing');
  const perId = (
    await app.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'per@testdirektoratet.no')
      .executeTakeFirstOrThrow()
  ).id;
  const testdir = (
    await app.db.selectFrom('agencies').select('id').where('name', '=', 'Testdirektoratet').executeTakeFirstOrThrow()
  ).id;
  await app.db
    .insertInto('user_roles')
    .values({ user_id: perId, role: 'power_of_attorney', agency_id: testdir })
    .execute();
  const perReads = text((await per.get('/me/reads')).body);
  t.match(perReads, `Åpnet sak ${perNumber}`, "a power-of-attorney holder sees their own agency's reads");
  t.notMatch(perReads, number);
  t.equal((await siri.get('/me/reads')).statusCode, 403, 'centre staff have no agency page');
});

t.test('admins search the log; bad filters are refused with a message; others are refused', async (t) => {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const number = String((await submitCase(ola, enquiry('lonn', 'Feriepenger', 'Når?'))).headers.location)
    .split('/')
    .pop()!;
  const siri = await app.login('siri@kundesenter.no');
  await siri.get(`/cases/${number}`);
  const admin = await app.login('admin@kundesenter.no');
  await admin.get(`/cases/${number}`);

  const all = text((await admin.get('/admin/audit')).body);
  t.match(all, `Åpnet sak ${number}`);
  const bySiri = text((await admin.get('/admin/audit?actor=siri')).body);
  t.match(bySiri, 'Siri Saksbehandler');
  t.notMatch(bySiri, 'Anne Administrator Åpnet', "the admin's own read is filtered out");
  t.match(text((await admin.get('/admin/audit?action=role.grant')).body), 'Ingen føringer passer søket.');
  const bad = await admin.get('/admin/audit?from=2026-13-01&action=drop');
  t.equal(bad.statusCode, 422);
  t.match(text(bad.body), 'Skriv datoen som åååå-mm-dd.');
  t.match(text(bad.body), 'Velg en handling fra listen.');
  const inverted = await admin.get('/admin/audit?from=2026-12-01&to=2026-11-01');
  t.equal(inverted.statusCode, 422);
  t.match(text(inverted.body), 'Til-datoen kan ikke være før fra-datoen.');
  t.equal((await siri.get('/admin/audit')).statusCode, 403);
  t.equal((await ola.get('/admin/audit')).statusCode, 403);
});

t.test(
  'the trail is append-only, and a changed or removed entry breaks the chain (also for the verify command)',
  async (t) => {
    const app = await build(t);
    const actor = { userId: null, name: 'Test', ip: '10.0.0.1' };
    for (let i = 1; i <= 5; i++)
      await appendAudit(app.db, actor, {
        action: 'admin.change',
        objectType: 'setting',
        objectId: i,
        details: { b: i, a: [1, { z: 'æøå' }] },
      });
    t.same(
      await verifyAudit(app.db, app.config.auditKey),
      { ok: true, entries: 0, unlinked: 5 },
      'written entries wait for the chainer',
    );
    t.equal(await chainAudit(app.db, app.config.auditKey), 5);
    t.same(await verifyAudit(app.db, app.config.auditKey), { ok: true, entries: 5, unlinked: 0 });
    t.same(
      (await verifyAudit(app.db, 'another key that is long enough 123')).ok,
      false,
      'another key cannot vouch for it',
    );

    await t.rejects(
      sql`UPDATE audit_log SET actor_name = 'Noen andre' WHERE seq = 2`.execute(app.db),
      /append-only/,
      'updates are refused',
    );
    await t.rejects(sql`DELETE FROM audit_log WHERE seq = 2`.execute(app.db), /append-only/, 'deletes are refused');
    await t.rejects(
      sql`UPDATE audit_log SET seq = 9, prev_hash = 'x', hash = 'y' WHERE seq = 2`.execute(app.db),
      /append-only/,
      'a linked entry cannot be linked again',
    );
    await appendAudit(app.db, actor, { action: 'admin.change', objectType: 'setting', objectId: 6 });
    await t.rejects(
      sql`UPDATE audit_log SET seq = 6, prev_hash = 'x', hash = 'y', object_id = '7' WHERE seq IS NULL`.execute(app.db),
      /append-only/,
      'linking cannot change what an entry records',
    );
    await t.rejects(
      sql`UPDATE audit_log SET actor_name = 'Noen andre' WHERE seq IS NULL`.execute(app.db),
      /append-only/,
      'an entry waiting to be linked cannot be changed either',
    );
    await chainAudit(app.db, app.config.auditKey);

    const verify = () =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/audit/verify-cli.ts'], {
        env: {
          ...process.env,
          DATABASE_URL: app.config.databaseUrl,
          DATA_DIR: app.config.dataDir,
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
      });
    const intact = verify();
    t.equal(intact.status, 0);
    t.match(intact.stdout, 'The audit trail is intact: 6 entries.');

    // Someone with the owner's rights switches the guard off and edits an entry.
    await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(app.db);
    await sql`UPDATE audit_log SET details = '{"b": 99}' WHERE seq = 3`.execute(app.db);
    t.same(
      await verifyAudit(app.db, app.config.auditKey),
      { ok: false, entries: 2, brokenAt: 3, reason: 'hash' },
      'a changed entry is found',
    );
    const broken = verify();
    t.equal(broken.status, 1, 'the command fails');
    t.match(broken.stderr, 'The audit trail is broken at entry 3');

    await sql`DELETE FROM audit_log WHERE seq >= 3`.execute(app.db);
    await appendAudit(app.db, actor, { action: 'admin.change', objectType: 'setting' });
    await chainAudit(app.db, app.config.auditKey);
    await sql`DELETE FROM audit_log WHERE seq = 2`.execute(app.db);
    t.same(
      await verifyAudit(app.db, app.config.auditKey),
      { ok: false, entries: 1, brokenAt: 2, reason: 'gap' },
      'a removed entry is found',
    );
  },
);

t.test(
  "a caseworker's read never waits for the chain: it is recorded at once and linked when the chainer can",
  async (t) => {
    const app = await build(t);
    const kari = await app.login('kari@demoetaten.no');
    await kari.get('/cases/new?area=lonn&form=henvendelse');
    const number = String((await submitCase(kari, enquiry('lonn', 'Trekk', 'Feil trekk.'))).headers.location)
      .split('/')
      .pop()!;
    const siri = await app.login('siri@kundesenter.no');
    // Someone holds the chain's lock (a chainer in another process, stuck): reads must go on regardless.
    const holder = await app.db.connection().execute(async (connection) => {
      await sql`SELECT pg_advisory_lock(727001)`.execute(connection);
      try {
        const pages = await Promise.all([1, 2, 3].map(() => siri.get(`/cases/${number}`)));
        const recorded = await unlinked(app);
        return { statuses: pages.map((page) => page.statusCode), recorded };
      } finally {
        await sql`SELECT pg_advisory_unlock(727001)`.execute(connection);
      }
    });
    t.same(holder.statuses, [200, 200, 200], 'the pages answered while the chain was locked');
    t.equal(holder.recorded, 3, 'each read was recorded in its own transaction, not yet linked');
    t.equal((await siri.get(`/cases/${number}`)).statusCode, 200);
    const log = await entries(app);
    t.same(
      log.map((e) => [e.seq, e.action, e.object_id]),
      [1, 2, 3, 4].map((seq) => [seq, 'case.read', number]),
      'the chainer linked them all, in order, once the lock was free',
    );
    t.same(await verifyAudit(app.db, app.config.auditKey), { ok: true, entries: 4, unlinked: 0 });
  },
);
