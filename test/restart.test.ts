// A development start as `npm start` does it, on its own embedded PostgreSQL: the first start prepares
// the empty database, a restart on the same data folder repeats none of that work, and SIGTERM keeps the
// database up through the drain and stops it last; a demo user logs in through the development identity
// provider.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Client } from './helpers.js';
import { overHttp, serverEnv, sleep, startServer } from './processes.js';

t.test('a restart repeats no start-up work, and SIGTERM stops the embedded database last', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-restart-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const env = await serverEnv(dataDir, { SHUTDOWN_DRAIN_SECONDS: '1', LOG_LEVEL: 'info' });
  const port = env.PORT;

  const first = await startServer(env);
  t.teardown(() => first.child.kill('SIGKILL'));
  t.match(first.output(), /migrations applied/, 'the first start migrates the empty database');
  t.match(first.output(), /demo data seeded into the empty database/, 'and seeds the demo data');

  first.child.kill('SIGTERM');
  await sleep(200);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  t.equal(ready.status, 503, 'readiness says no at once');
  const page = await fetch(`http://127.0.0.1:${port}/kb`);
  t.equal(page.status, 200, 'a page that reads the database is still served during the drain');
  t.equal(await first.exited, 0, 'a clean exit');
  t.notOk(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped with it');
  t.notMatch(first.output(), /database connection lost/, 'no connection was cut under the app');

  const second = await startServer(env);
  t.teardown(() => second.child.kill('SIGKILL'));
  t.notMatch(second.output(), /migrations applied/, 'a restart has nothing to migrate');
  t.notMatch(second.output(), /demo data seeded/, 'and seeds nothing into a database that has data');
  const home = await fetch(`http://127.0.0.1:${port}/kb`);
  t.equal(home.status, 200, 'and serves pages from the same data');
  // A development start is usable as it is: a demo user logs in through its identity provider, over HTTP.
  const kari = new Client(overHttp(second.base));
  const landed = await kari.login('kari@demoetaten.no', `http://127.0.0.1:${env.DEV_OIDC_PORT}`, second.base);
  t.equal(landed.statusCode, 303, 'a demo user logs in through the development identity provider');
  const cases = await kari.get('/cases');
  t.equal(cases.statusCode, 200);
  t.match(cases.body, 'Kari Nordmann', 'and the list is hers');
  second.child.kill('SIGTERM');
  t.equal(await second.exited, 0);
});
