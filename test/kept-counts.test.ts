// Counts kept while the cases do not change: the process notices every write to the cases (Kysely's and
// raw SQL), a kept count is dropped at the next one and after `keptCountMs`, and the pages say so. What
// the case page offers for an area is kept the same way, while its tables are not written.
import t from 'tap';
import { setTimeout } from 'node:timers/promises';
import pg from 'pg';
import { sql } from 'kysely';
import { build, caseNumbersIn, enquiry, freshDatabase, submitCase, text } from './helpers.js';
import { standInViewer } from './viewers.js';
import { keptUntilWritten } from '../src/db/cache.js';
import { seedCases } from '../src/demo/seed.js';
import { lastWriteTo, writesTo } from '../src/db/writes.js';
import { countKey, KeptCounts, keptCountMs, settleMs } from '../src/cases/list/kept-counts.js';
import { parseListQuery, type ListQuery } from '../src/cases/list/filter.js';
import type { Role, Viewer } from '../src/auth/viewer.js';

t.test('every write to the cases moves the counter on; reads and other tables do not', async (t) => {
  const { db } = await freshDatabase(t);
  await seedCases(db, 3);
  const moved = async (what: string, work: () => Promise<unknown>, expected: boolean) => {
    const before = writesTo('cases');
    await work();
    t.equal(writesTo('cases') !== before, expected, what);
  };
  const first = await db.selectFrom('cases').select('id').orderBy('id').executeTakeFirstOrThrow();
  await moved('a read', () => db.selectFrom('cases').selectAll().limit(5).execute(), false);
  await moved('a raw read', () => sql`SELECT count(*) FROM cases`.execute(db), false);
  await moved('a write to another table', () => db.updateTable('users').set({ language: 'nb' }).execute(), false);
  await moved(
    'an update',
    () => db.updateTable('cases').set({ title: 'Endret' }).where('id', '=', first.id).execute(),
    true,
  );
  await moved(
    'an update under an alias, in a transaction',
    () =>
      db
        .transaction()
        .execute((trx) => trx.updateTable('cases as c').set({ title: 'Igjen' }).where('c.id', '=', first.id).execute()),
    true,
  );
  await moved('a delete', () => db.deleteFrom('cases').where('id', '=', -1).execute(), true);
  await moved(
    'a raw insert',
    () =>
      sql`INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at)
          SELECT '2099-000001', title, body, area_id, agency_id, requester_id, status, channel, due_at
          FROM cases WHERE id = ${first.id}`.execute(db),
    true,
  );
  await moved('a raw update', () => sql`update "cases" set title = title where id = ${first.id}`.execute(db), true);
  await moved(
    'a raw update of a table whose name begins like it',
    () => sql`UPDATE case_counts SET n = n WHERE false`.execute(db),
    false,
  );
});

t.test('a kept count is dropped at the next write, after its time, and never kept across a write', async (t) => {
  const { db } = await freshDatabase(t);
  const kept = new KeptCounts<number>(2);
  // Counts that began well after this process's last write to the cases, unless a test says otherwise.
  const now = Date.now() + 10 * settleMs;
  kept.keep('a', 7, writesTo('cases'), now);
  t.same(kept.get('a', now + 1000)?.value, 7, 'kept');
  t.equal(kept.get('a', now + keptCountMs), undefined, 'dropped when it is as old as keptCountMs');
  kept.keep('a', 7, writesTo('cases'), now);
  await db.updateTable('cases').set({ title: sql`title` }).where('id', '=', -1).execute();
  t.equal(kept.get('a', now + 1000), undefined, 'dropped after a write to the cases');
  const before = writesTo('cases');
  await db.deleteFrom('cases').where('id', '=', -1).execute();
  t.equal(kept.keep('b', 3, before, now), 3, 'a count made across a write is answered...');
  t.equal(kept.get('b', now), undefined, '...but not kept');
  const soon = lastWriteTo('cases') + settleMs / 2;
  t.equal(kept.keep('c', 4, writesTo('cases'), soon), 4, 'a count begun just after a write is answered...');
  t.equal(kept.get('c', soon), undefined, '...but not kept: the write may not have committed when it read');
  for (const key of ['d', 'e', 'f']) kept.keep(key, 1, writesTo('cases'), now);
  t.equal(kept.get('d', now), undefined, 'past its size the least recently kept goes first');
  t.equal(kept.get('f', now)?.value, 1);
});

t.test('a long list and the queue tabs: kept counts follow a write in this process at once', async (t) => {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  const countIn = (body: string) => /Saker du har sendt inn: <strong[^>]*>([^<]+)</.exec(body)?.[1];
  await seedCases(app.db, 100);
  const template = await app.db.selectFrom('cases').select('id').orderBy('id').executeTakeFirstOrThrow();
  const owner = await app.db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select(['users.id', 'agency_members.agency_id'])
    .where('users.email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  const copies = (from: number, count: number) => sql`
    INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at, group_id)
    SELECT '2098-' || lpad(n::text, 6, '0'), title, body, area_id, ${owner.agency_id}::bigint, ${owner.id}::bigint,
      status, channel, due_at, group_id
    FROM cases, generate_series(${from}::int, ${from + count - 1}::int) AS n WHERE cases.id = ${template.id}`;
  await copies(1, 120).execute(app.db);
  // A count begun within settleMs of a write is not kept (its transaction may be open): let it settle.
  await setTimeout(settleMs + 100);
  const first = countIn((await ola.get('/cases')).body);
  t.match(first, /^\d+ saker$/, 'a list longer than a page is counted');
  const counted = Number(first!.split(' ')[0]);
  t.ok(counted >= 120, 'every copy counted');

  // Another process (here a connection of its own, outside the app) adds a case: the kept count stands,
  // as it would for up to keptCountMs ...
  const other = new pg.Client({ connectionString: app.config.databaseUrl });
  await other.connect();
  t.teardown(() => other.end());
  await other.query(
    `INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at)
     SELECT '2098-000200', title, body, area_id, agency_id, requester_id, status, channel, due_at
     FROM cases WHERE number = '2098-000001'`,
  );
  t.equal(countIn((await ola.get('/cases?sort=title&dir=asc')).body), first, 'kept across sorting and pages');
  // ... and the next write in this process drops it: the count has both new cases.
  await copies(300, 1).execute(app.db);
  t.equal(countIn((await ola.get('/cases')).body), `${counted + 2} saker`, 'counted again after a write here');

  // The queue tabs say when they were counted, and follow a case taken here at once.
  const siri = await app.login('siri@kundesenter.no');
  const { id: siriId } = await app.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'siri@kundesenter.no')
    .executeTakeFirstOrThrow();
  const tabIn = (queue: string, body: string) =>
    Number(
      new RegExp(
        `href="/work\\?queue=${queue}"[^>]*>[^<]*<span class="ds-badge ks-count"[^>]*data-count="(\\d+)"`,
      ).exec(body)?.[1],
    );
  const group = await app.db
    .selectFrom('groups')
    .innerJoin('group_members', 'group_members.group_id', 'groups.id')
    .select(['groups.id', 'groups.area_id'])
    .where('group_members.user_id', '=', siriId)
    .executeTakeFirstOrThrow();
  await app.db
    .updateTable('cases')
    .set({ status: 'active', assignee_id: null, group_id: group.id, area_id: group.area_id })
    .where('number', '=', '2098-000001')
    .execute();
  await setTimeout(settleMs + 100);
  const work = await siri.get('/work');
  t.match(work.body, /Tallene er fra kl\. \d\d:\d\d:\d\d\./, 'the workspace says when its counts were made');
  const mine = tabIn('mine', work.body);
  const all = tabIn('all', work.body);
  // A case added by another process: the kept tabs stand ...
  await other.query(
    `INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at, group_id)
     SELECT '2098-000201', title, body, area_id, agency_id, requester_id, status, channel, due_at, group_id
     FROM cases WHERE number = '2098-000001'`,
  );
  const unassigned = await siri.get('/work?queue=unassigned');
  t.equal(tabIn('all', unassigned.body), all, 'kept while moving between queues');
  // ... until siri takes a case here: both changes show at once.
  const number = caseNumbersIn(unassigned.body)[0];
  t.ok(number, 'a case waits unassigned in her groups');
  const taken = await siri.post('/work/bulk', { case: [number!], action: 'take', returnTo: '/work?queue=all' });
  t.equal(taken.statusCode, 303, 'siri takes it');
  const after = await siri.get('/work');
  t.equal(tabIn('mine', after.body), mine + 1, '"Mine saker" counts it at once');
  t.equal(tabIn('all', after.body), all + 1, 'and "Alle saker" the case the other process added');
});

t.test('kept until written: dropped at a write to its tables, after its time, and not kept near a write', async (t) => {
  const { db } = await freshDatabase(t);
  let loads = 0;
  const kept = keptUntilWritten(300, ['groups'], async (_db, key: string) => `${key}:${++loads}`);
  await setTimeout(settleMs + 100);
  t.equal(await kept.get(db, 'a'), 'a:1');
  t.equal(await kept.get(db, 'a'), 'a:1', 'kept');
  t.equal(await kept.get(db, 'b'), 'b:2', 'per key');
  await db.updateTable('users').set({ language: 'nb' }).execute();
  t.equal(await kept.get(db, 'a'), 'a:1', 'a write to another table leaves it');
  await db.updateTable('groups').set({ active: true }).where('id', '=', -1).execute();
  t.equal(await kept.get(db, 'a'), 'a:3', 'a write to its table drops it, even one that changed no row');
  t.equal(await kept.get(db, 'a'), 'a:4', 'read within a second of the write: answered, not kept');
  await setTimeout(settleMs + 100);
  t.equal(await kept.get(db, 'a'), 'a:5');
  t.equal(await kept.get(db, 'a'), 'a:5', 'kept again once the write has settled');
  await setTimeout(350);
  t.equal(await kept.get(db, 'a'), 'a:6', 'and never past its time');
  t.throws(() => keptUntilWritten(300, ['areas'], async () => 1), 'a table whose writes are not counted is refused');
});

t.test("a login's stamp on the user is not counted as a change; any other update is", async (t) => {
  const { db } = await freshDatabase(t);
  const before = writesTo('users');
  await db.updateTable('users').set({ last_login_at: new Date() }).where('email', '=', 'kari@demoetaten.no').execute();
  await db.updateTable('users').set({ oidc_subject: 'x', last_login_at: new Date() }).where('id', '=', -1).execute();
  t.equal(writesTo('users'), before, 'last login and subject alone are quiet');
  await db
    .updateTable('users')
    .set({ last_login_at: new Date(), name: 'Kari N.' })
    .where('email', '=', 'kari@demoetaten.no')
    .execute();
  t.equal(writesTo('users'), before + 2, 'with the name, the update counts (as it begins and ends)');
});

t.test('the case page offers a group, template or caseworker added in this process at once', async (t) => {
  const { db, login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const number = String((await submitCase(ola, enquiry('lonn', 'Trekk i lønn', 'Hvorfor?'))).headers.location)
    .split('/')
    .pop()!;
  const siri = await login('siri@kundesenter.no');
  const admin = await login('admin@kundesenter.no');
  const page = async () => text((await siri.get(`/cases/${number}`)).body);
  t.notMatch(await page(), 'Lønn ekstra');
  t.notMatch(await page(), 'Nyttig svar', 'the page is read twice, so what it offers is kept');
  const lonn = (await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow()).id;
  await admin.get(`/admin/areas/${lonn}`);
  const group = { code: 'lonn-ekstra', name_nb: 'Lønn ekstra', name_en: 'Payroll extra' };
  t.equal((await admin.post(`/admin/areas/${lonn}/groups`, group)).statusCode, 303);
  t.match(await page(), 'Lønn ekstra', 'the new group is offered at once');
  await admin.get('/admin/templates');
  const template = {
    template_kind: 'answer',
    template_name: 'Nyttig svar',
    template_area: '',
    template_title: '',
    template_body: 'Hei {kunde}.',
  };
  t.equal((await admin.post('/admin/templates', template)).statusCode, 303);
  t.match(await page(), 'Nyttig svar', 'so is the new answer template');
  const rune = await db
    .insertInto('users')
    .values({ email: 'rune@kundesenter.no', name: 'Rune Nyansatt' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_roles').values({ user_id: rune.id, role: 'caseworker', area_id: lonn }).execute();
  t.match(await page(), 'Rune Nyansatt', 'and a new caseworker of the area, to assign the case to');
});

t.test("a count's key: the viewer and what narrows the list, never its order or page", async (t) => {
  const viewer = (roles: Role[]) => standInViewer(null, roles);

  const siri = viewer([{ role: 'caseworker', agencyId: null, areaId: 1 }]);
  const choices = { areas: [{ code: 'lonn', name_nb: 'Lønn', name_en: 'Payroll' }], forms: [], categories: [] };
  const key = (who: Viewer, query: ListQuery) => countKey(who, parseListQuery(query, who, choices).filter);
  const base = key(siri, { queue: 'unassigned' });
  t.equal(key(siri, { queue: 'unassigned', sort: 'title', dir: 'asc' }), base, 'another order counts the same');
  t.equal(key(siri, { queue: 'unassigned', after: 'x' }), base, 'another page counts the same');
  t.not(key(siri, { queue: 'unassigned', status: 'active' }), base, 'a status filter counts anew');
  t.not(key(siri, { queue: 'unassigned', q: 'ferie' }), base, 'a search counts anew');
  t.not(key(siri, { queue: 'mine' }), base, 'another queue counts anew');
  t.equal(
    key(viewer([{ role: 'caseworker', agencyId: null, areaId: 1 }]), { queue: 'unassigned' }),
    base,
    'the same grants read again count the same',
  );
  t.not(
    key(viewer([{ role: 'caseworker', agencyId: null, areaId: 2 }]), { queue: 'unassigned' }),
    base,
    'another area counts anew',
  );
  t.match(key(siri, { queue: 'due_today' }), /\d{4}-\d{2}-\d{2}$/, '"due today" is counted per day');
});
