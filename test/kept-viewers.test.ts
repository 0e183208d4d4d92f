// The viewer kept between a session's requests (src/auth/kept-viewers.ts): kept only while the database
// can announce changes, and never past a change another process makes or this process makes itself.
import t from 'tap';
import pg from 'pg';
import { build, text } from './helpers.js';

type Test = { teardown(fn: () => unknown): void };

/** A connection of another process: its writes are unknown to the app but for the database's notices. */
async function otherProcess(t: Test, url: string, options: { unannounced?: boolean } = {}) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // A session that runs no triggers (as a replica would): a change the database does not announce,
  // which only a viewer kept in memory can hide. It tells kept from read; the app never writes so.
  if (options.unannounced) await client.query('SET session_replication_role = replica');
  t.teardown(() => client.end());
  return client;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Asks `check` until it holds, for up to three seconds (a notice arrives within milliseconds). */
async function soon(check: () => Promise<boolean>): Promise<boolean> {
  for (let waited = 0; waited < 3000; waited += 50) {
    if (await check()) return true;
    await pause(50);
  }
  return check();
}

t.test('a viewer is kept only while the database can say what changed', async (t) => {
  const { login, config } = await build(t);
  const url = config.databaseUrl!;
  const kari = await login('kari@demoetaten.no');
  const shown = async () => text((await kari.get('/cases')).body);
  t.match(await shown(), 'Kari Nordmann');
  // A read begun within a second of this process's own writes (the login's) is not kept.
  await pause(1100);
  t.match(await shown(), 'Kari Nordmann');

  const quiet = await otherProcess(t, url, { unannounced: true });
  await quiet.query(`UPDATE users SET name = 'Kari Stille' WHERE email = 'kari@demoetaten.no'`);
  t.match(await shown(), 'Kari Nordmann', 'a change nobody announced is not seen: the viewer is kept');

  // The listening connection is lost: nothing is kept until it listens again, so the change shows.
  const admin = await otherProcess(t, url);
  await admin.query(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
     WHERE application_name = 'kundesenter-listen' AND datname = current_database()`,
  );
  t.ok(
    await soon(async () => (await shown()).includes('Kari Stille')),
    'with the listener lost, the viewer is read again',
  );
  // Until it listens again (a quarter of a second later), what is read is not kept either.
  await quiet.query(`UPDATE users SET name = 'Kari Stillere' WHERE email = 'kari@demoetaten.no'`);
  t.match(await shown(), 'Kari Stillere', 'read again while the listener reconnects');
  // Listening again, it keeps again.
  await pause(600);
  await shown();
  await quiet.query(`UPDATE users SET name = 'Kari Stillest' WHERE email = 'kari@demoetaten.no'`);
  t.notMatch(await shown(), 'Kari Stillest', 'listening again, the viewer is kept again');
  await login('ola@demoetaten.no');
  await pause(100);
  t.notMatch(await shown(), 'Kari Stillest', "someone else's login does not empty what is kept");

  // An announced change from another process shows within moments.
  await admin.query(`UPDATE users SET name = 'Kari Annonsert' WHERE email = 'kari@demoetaten.no'`);
  t.ok(await soon(async () => (await shown()).includes('Kari Annonsert')), 'an announced change shows');
});

t.test("another process's changes to access end what was kept", async (t) => {
  const { login, config, db } = await build(t);
  const admin = await otherProcess(t, config.databaseUrl!);
  const kari = await login('kari@demoetaten.no');
  const ola = await login('ola@demoetaten.no');
  const siri = await login('siri@kundesenter.no');
  await pause(1100);
  for (const client of [kari, ola, siri]) await client.get('/');
  t.equal((await kari.get('/cases?scope=agency')).statusCode, 200);
  t.equal((await ola.get('/cases')).statusCode, 200);
  t.equal((await siri.get('/work')).statusCode, 200);

  // A role taken away: the agency's list is no longer hers.
  await admin.query(
    `DELETE FROM user_roles WHERE user_id = (SELECT id FROM users WHERE email = 'siri@kundesenter.no')`,
  );
  t.ok(await soon(async () => (await siri.get('/work')).statusCode !== 200), 'a caseworker without roles loses /work');

  // A session ended elsewhere (an administrator, another app process) is over here too.
  await admin.query(
    `UPDATE sessions SET revoked_at = now()
     WHERE user_id = (SELECT id FROM users WHERE email = 'ola@demoetaten.no')`,
  );
  t.ok(await soon(async () => (await ola.get('/cases')).statusCode !== 200), 'an ended session is refused');
  t.equal((await kari.get('/cases?scope=agency')).statusCode, 200, "someone else's ended session leaves hers");

  // A deactivated user is out at once.
  await admin.query(`UPDATE users SET active = false WHERE email = 'kari@demoetaten.no'`);
  t.ok(await soon(async () => (await kari.get('/cases')).statusCode !== 200), 'a deactivated user is refused');
  const stillThere = await db
    .selectFrom('users')
    .select('active')
    .where('email', '=', 'kari@demoetaten.no')
    .executeTakeFirstOrThrow();
  t.equal(stillThere.active, false);
});

t.test("this process's own changes show on the very next request", async (t) => {
  const { login, app } = await build(t);
  const ola = await login('ola@demoetaten.no');
  await pause(1100);
  t.equal((await ola.get('/cases')).statusCode, 200);
  t.equal((await ola.get('/cases')).statusCode, 200);
  const cookie = ola.cookieHeader();
  const out = await ola.post('/logout', {});
  t.equal(out.statusCode, 303);
  // The cookie from before the logout, sent again at once (no notice awaited): the session is over.
  const replayed = await app.inject({ method: 'GET', url: '/cases', headers: { cookie } });
  t.not(replayed.statusCode, 200, 'the old cookie is refused right after logout');
});
