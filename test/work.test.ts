import t from 'tap';
import { build, enquiry, submitCase, text, type Client } from './helpers.js';
import type { Db } from '../src/db/index.js';

async function newCase(t: Parameters<typeof build>[0]) {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  const path = String((await submitCase(ola, enquiry('lonn', 'Trekk i lønn', 'Hvorfor er det trukket?'))).headers.location);
  const siri = await app.login('siri@kundesenter.no');
  return { ...app, ola, siri, path };
}

const caseRow = (db: Db) => db.selectFrom('cases').selectAll().executeTakeFirstOrThrow();
const events = async (db: Db) => (await db.selectFrom('case_events').select(['kind', 'data']).orderBy('id').execute()).map((e) => e.kind);
async function work(client: Client, path: string, fields: Record<string, string>) {
  const page = await client.get(path);
  const version = /name="version" value="(\d+)"/.exec(page.body)?.[1];
  return client.post(`${path}/messages`, { ...(version ? { version } : {}), ...fields });
}

t.test('statuses follow their rules: Utsatt needs a message to the customer, Avsluttet a final answer', async (t) => {
  const { db, siri, path } = await newCase(t);
  const postponedSilently = await work(siri, path, { kind: 'internal_note', message: 'Venter på leverandør', status: 'postponed' });
  t.equal(postponedSilently.statusCode, 422);
  t.match(text(postponedSilently.body), 'Skriv en melding til kunden som forklarer hvorfor saken utsettes.');
  t.match(postponedSilently.body, 'Venter på leverandør', 'the text is kept');
  const closedEmpty = await work(siri, path, { kind: 'answer', message: '', status: 'closed' });
  t.equal(closedEmpty.statusCode, 422);
  t.match(text(closedEmpty.body), 'Skriv et endelig svar til kunden før saken avsluttes.');
  t.equal((await caseRow(db)).status, 'active', 'nothing changed');
  t.same(await events(db), ['created']);

  const working = await work(siri, path, { kind: 'answer', message: '', status: 'in_progress' });
  t.equal(working.statusCode, 303, 'a status change alone needs no message');
  const closed = await work(siri, path, { kind: 'answer', message: 'Trekket er fagforeningskontingent.', status: 'closed' });
  t.equal(closed.statusCode, 303);
  const row = await caseRow(db);
  t.equal(row.status, 'closed');
  t.ok(row.first_answered_at, 'the first answer stops the first-answer clock');
  t.same(await events(db), ['created', 'status', 'message', 'status']);
  const notices = await db.selectFrom('outbox').select('kind').where('kind', '=', 'case_answered').execute();
  t.equal(notices.length, 1, 'the final answer sends one notice');
});

t.test('customers never set a status or write internal notes, whatever they post', async (t) => {
  const { db, ola, path } = await newCase(t);
  await ola.get(path);
  const status = await ola.post(`${path}/messages`, { message: 'Lukk saken', status: 'closed' });
  t.equal(status.statusCode, 403);
  const note = await ola.post(`${path}/messages`, { message: 'Hemmelig', kind: 'internal_note' });
  t.equal(note.statusCode, 403);
  t.equal((await caseRow(db)).status, 'active');
  t.same(await events(db), ['created']);
  t.equal((await ola.get('/work')).statusCode, 403, 'and never reach the workspace');
});

t.test('internal notes stay internal: not on the customer page, not in mail, not in their search', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const noted = await work(siri, path, { kind: 'internal_note', message: 'Kunden har purret tre ganger før' });
  t.equal(noted.statusCode, 303);
  t.match(text((await siri.get(path)).body), 'Kunden har purret tre ganger før');
  const customer = text((await ola.get(path)).body);
  t.notMatch(customer, 'purret');
  t.notMatch(customer, 'Internt notat');
  t.equal((await db.selectFrom('outbox').select('id').where('kind', '=', 'case_answered').execute()).length, 0, 'no notice for a note');
  t.notMatch(text((await ola.get('/cases?q=purret')).body), path.split('/').pop()!);
});

t.test('two caseworkers on one case: the later save is refused with an explanation and the text kept', async (t) => {
  const { db, siri, path, login } = await newCase(t);
  const anne = await login('admin@kundesenter.no');
  const siriPage = await siri.get(path);
  const staleVersion = /name="version" value="(\d+)"/.exec(siriPage.body)![1]!;
  t.equal((await work(anne, path, { kind: 'answer', message: 'Svar fra Anne' })).statusCode, 303);
  const stale = await siri.post(`${path}/messages`, { version: staleVersion, kind: 'answer', message: 'Svar fra Siri', status: 'closed' });
  t.equal(stale.statusCode, 409);
  t.match(text(stale.body), 'Noen andre endret saken mens du skrev. Ingenting er lagret.');
  t.match(stale.body, 'Svar fra Siri', 'her text is still in the field');
  t.match(text(stale.body), 'Svar fra Anne', 'and the other answer is in the timeline above it');
  t.equal((await caseRow(db)).status, 'active');
  const fresh = /name="version" value="(\d+)"/.exec(stale.body)![1]!;
  t.equal((await siri.post(`${path}/messages`, { version: fresh, kind: 'answer', message: 'Svar fra Siri', status: 'closed' })).statusCode, 303, 'saving again on the new version works');
});

t.test('the clock stops while waiting for the customer and resumes with the time left on their reply', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const before = await caseRow(db);
  t.equal((await work(siri, path, { kind: 'answer', message: 'Send oss lønnsslippen.', status: 'awaiting_customer' })).statusCode, 303);
  const paused = await caseRow(db);
  t.ok(paused.sla_paused_at, 'paused');
  t.ok(Number(paused.sla_remaining_ms) > 0, 'with working time left');
  t.match(text((await ola.get(path)).body), 'Fristen står stille');

  await new Promise((resolve) => setTimeout(resolve, 300));
  const reply = await ola.post(`${path}/messages`, { message: 'Her er den.' });
  t.equal(reply.statusCode, 303);
  const resumed = await caseRow(db);
  t.equal(resumed.status, 'active', 'the reply puts the case back in the queue');
  t.equal(resumed.sla_paused_at, null);
  t.ok(resumed.due_at.getTime() >= before.due_at.getTime(), 'the deadline moved out by the time spent waiting (or stayed, outside working hours)');
  t.same((await events(db)).slice(-2), ['message', 'status']);
});

t.test('a provisional answer sets an expected date the customer sees', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const past = await work(siri, path, { kind: 'provisional', message: 'Vi trenger mer tid.', expected_date: '2020-01-01' });
  t.equal(past.statusCode, 422);
  t.match(text(past.body), 'Den forventede datoen kan ikke være tilbake i tid.');
  const missing = await work(siri, path, { kind: 'provisional', message: 'Vi trenger mer tid.', expected_date: '' });
  t.equal(missing.statusCode, 422);

  const next = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  t.equal((await work(siri, path, { kind: 'provisional', message: 'Vi trenger mer tid.', expected_date: next })).statusCode, 303);
  const row = await caseRow(db);
  t.ok(row.first_answered_at, 'a provisional answer stops the first-answer clock');
  t.ok(row.expected_at);
  t.equal(row.due_at.getTime(), row.expected_at!.getTime(), 'the deadline moves to the expected date');
  const customer = text((await ola.get(path)).body);
  t.match(customer, 'Forventet løst');
  t.match(customer, 'Foreløpig svar fra Siri Saksbehandler');
  t.equal((await db.selectFrom('outbox').select('id').where('kind', '=', 'case_answered').execute()).length, 1, 'the customer is notified');
});
