import { sql } from 'kysely';
import t from 'tap';
import { build, caseNumbersIn, enquiry, submitCase, text, type Client } from './helpers.js';
import type { Db } from '../src/db/index.js';
import { formatDate } from '../src/web/i18n.js';

async function newCase(t: Parameters<typeof build>[0]) {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  const path = String(
    (await submitCase(ola, enquiry('lonn', 'Trekk i lønn', 'Hvorfor er det trukket?'))).headers.location,
  );
  const siri = await app.login('siri@kundesenter.no');
  return { ...app, ola, siri, path };
}

const caseRow = (db: Db, number?: string) =>
  db
    .selectFrom('cases')
    .selectAll()
    .orderBy('id')
    .$if(number !== undefined, (q) => q.where('number', '=', number!))
    .executeTakeFirstOrThrow();
const events = async (db: Db) =>
  (await db.selectFrom('case_events').select(['kind', 'data']).orderBy('id').execute()).map((e) => e.kind);
async function work(client: Client, path: string, fields: Record<string, string>) {
  const page = await client.get(path);
  const version = /name="version" value="(\d+)"/.exec(page.body)?.[1];
  return client.post(`${path}/messages`, { ...(version ? { version } : {}), ...fields });
}

t.test('statuses follow their rules: Utsatt needs a message to the customer, Avsluttet a final answer', async (t) => {
  const { db, siri, path } = await newCase(t);
  const postponedSilently = await work(siri, path, {
    kind: 'internal_note',
    message: 'Venter på leverandør',
    status: 'postponed',
  });
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
  const closed = await work(siri, path, {
    kind: 'answer',
    message: 'Trekket er fagforeningskontingent.',
    status: 'closed',
  });
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
  t.equal(
    (await db.selectFrom('outbox').select('id').where('kind', '=', 'case_answered').execute()).length,
    0,
    'no notice for a note',
  );
  t.notMatch(text((await ola.get('/cases?q=purret')).body), path.split('/').pop()!);
});

t.test('two caseworkers on one case: the later save is refused with an explanation and the text kept', async (t) => {
  const { db, siri, path, login } = await newCase(t);
  const anne = await login('admin@kundesenter.no');
  const siriPage = await siri.get(path);
  const staleVersion = /name="version" value="(\d+)"/.exec(siriPage.body)![1]!;
  t.equal((await work(anne, path, { kind: 'answer', message: 'Svar fra Anne' })).statusCode, 303);
  const stale = await siri.post(`${path}/messages`, {
    version: staleVersion,
    kind: 'answer',
    message: 'Svar fra Siri',
    status: 'closed',
  });
  t.equal(stale.statusCode, 409);
  t.match(text(stale.body), 'Noen andre endret saken mens du skrev. Ingenting er lagret.');
  t.match(stale.body, 'Svar fra Siri', 'her text is still in the field');
  t.match(text(stale.body), 'Svar fra Anne', 'and the other answer is in the timeline above it');
  t.equal((await caseRow(db)).status, 'active');
  const fresh = /name="version" value="(\d+)"/.exec(stale.body)![1]!;
  t.equal(
    (
      await siri.post(`${path}/messages`, {
        version: fresh,
        kind: 'answer',
        message: 'Svar fra Siri',
        status: 'closed',
      })
    ).statusCode,
    303,
    'saving again on the new version works',
  );
});

t.test('the clock stops while waiting for the customer and resumes with the time left on their reply', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const before = await caseRow(db);
  t.equal(
    (await work(siri, path, { kind: 'answer', message: 'Send oss lønnsslippen.', status: 'awaiting_customer' }))
      .statusCode,
    303,
  );
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
  t.ok(
    resumed.due_at.getTime() >= before.due_at.getTime(),
    'the deadline moved out by the time spent waiting (or stayed, outside working hours)',
  );
  t.same((await events(db)).slice(-2), ['message', 'status']);
});

t.test('a provisional answer sets an expected date the customer sees', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const past = await work(siri, path, {
    kind: 'provisional',
    message: 'Vi trenger mer tid.',
    expected_date: '2020-01-01',
  });
  t.equal(past.statusCode, 422);
  t.match(text(past.body), 'Den forventede datoen kan ikke være tilbake i tid.');
  const missing = await work(siri, path, { kind: 'provisional', message: 'Vi trenger mer tid.', expected_date: '' });
  t.equal(missing.statusCode, 422);

  const next = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
  t.equal(
    (await work(siri, path, { kind: 'provisional', message: 'Vi trenger mer tid.', expected_date: next })).statusCode,
    303,
  );
  const row = await caseRow(db);
  t.ok(row.first_answered_at, 'a provisional answer stops the first-answer clock');
  t.ok(row.expected_at);
  t.equal(row.due_at.getTime(), row.expected_at!.getTime(), 'the deadline moves to the expected date');
  const customer = text((await ola.get(path)).body);
  t.match(customer, `Forventet løst ${formatDate('nb', next)}`, 'the date entered, not the day after at 00:00');
  t.notMatch(customer, `${formatDate('nb', next)}, 00:00`, 'a date, without a time');
  t.match(customer, 'Foreløpig svar fra Siri Saksbehandler');
  t.equal(
    (await db.selectFrom('outbox').select('id').where('kind', '=', 'case_answered').execute()).length,
    1,
    'the customer is notified',
  );
});

t.test('queues: new cases are routed to a group, taken, assigned within the area only, and counted', async (t) => {
  const { db, ola, siri, path, login } = await newCase(t);
  const number = path.split('/').pop()!;
  const lonn = await db.selectFrom('groups').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  t.equal((await caseRow(db)).group_id, lonn.id, 'routed by area to the lønn group');
  const voucher = await submitCase(
    ola,
    {
      area: 'lonn',
      form_code: 'bilag',
      title: 'Overtid',
      body: 'Bilag',
      f_voucher_type: 'travel',
      f_pay_period: '2026-03-12',
      f_voucher_count: '1',
      f_urgent: 'no',
    },
    [{ field: 'f_vouchers', name: 'bilag.pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') }],
  );
  const voucherNumber = String(voucher.headers.location).split('/').pop()!;
  const voucherGroup = await db
    .selectFrom('cases')
    .innerJoin('groups', 'groups.id', 'cases.group_id')
    .select('groups.code')
    .where('number', '=', voucherNumber)
    .executeTakeFirstOrThrow();
  t.equal(voucherGroup.code, 'lonn-bilag', 'the voucher form has a rule of its own');

  const unassigned = await siri.get('/work?queue=unassigned');
  t.equal(unassigned.statusCode, 200);
  t.match(text(unassigned.body), number);
  t.match(
    unassigned.body,
    new RegExp(`<td data-label="Tittel"><a class="ds-link" href="/cases/${number}">[^<]+</a></td>`),
    'the title opens the case too',
  );
  t.notMatch(text(unassigned.body), voucherNumber, 'a group she is not in is not in her queue');
  t.match(
    unassigned.body,
    /Ufordelt i mine grupper <span class="ds-badge ks-count" data-variant="tinted" data-count="1" aria-hidden="true"><\/span><span class="ds-sr-only">\(1\)<\/span>/,
    'the count is drawn in the badge, and read out once',
  );

  const page = await siri.get(path);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  const taken = await siri.post(`${path}/assignment`, { version, group_id: String(lonn.id), assignee_id: 'me' });
  t.equal(taken.statusCode, 303, 'ta saken');
  t.equal(
    (await caseRow(db, number)).assignee_id,
    (await db.selectFrom('users').select('id').where('email', '=', 'siri@kundesenter.no').executeTakeFirstOrThrow()).id,
  );
  t.match(text((await siri.get('/work?queue=mine')).body), number);
  t.notMatch(text((await siri.get('/work?queue=unassigned')).body), number);

  const regnskap = await db.selectFrom('groups').select('id').where('code', '=', 'regnskap').executeTakeFirstOrThrow();
  const kari = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'kari@demoetaten.no')
    .executeTakeFirstOrThrow();
  const fresh = /name="version" value="(\d+)"/.exec((await siri.get(path)).body)![1]!;
  const wrong = await siri.post(`${path}/assignment`, {
    version: fresh,
    group_id: String(regnskap.id),
    assignee_id: String(kari.id),
  });
  t.equal(wrong.statusCode, 422);
  t.match(text(wrong.body), 'Gruppen hører ikke til sakens område.');
  t.match(text(wrong.body), 'Personen er ikke saksbehandler i sakens område.');
  t.equal((await caseRow(db, number)).group_id, lonn.id, 'nothing changed');

  await ola.get(path);
  t.equal(
    (await ola.post(`${path}/assignment`, { group_id: '', assignee_id: 'me' })).statusCode,
    403,
    'customers cannot assign',
  );
  t.equal((await ola.get('/work?queue=mine')).statusCode, 403);
  const per = await login('per@testdirektoratet.no');
  await per.get('/cases');
  t.equal(
    (await per.post(`${path}/assignment`, { assignee_id: 'me' })).statusCode,
    404,
    'another agency cannot even find it',
  );
  t.equal((await siri.get('/work?queue=everything')).statusCode, 422, 'an unknown queue is explained');
});

t.test('bulk actions take cases or set a status that needs no message', async (t) => {
  const { db, ola, siri } = await newCase(t);
  for (const title of ['Andre sak', 'Tredje sak']) await submitCase(ola, enquiry('lonn', title, 'Tekst'));
  const numbers = (await db.selectFrom('cases').select('number').orderBy('id').execute()).map((r) => r.number);
  await siri.get('/work');
  const taken = await siri.post('/work/bulk', { case: numbers, action: 'take', returnTo: '/work?queue=unassigned' });
  t.equal(taken.statusCode, 303);
  t.equal(taken.headers.location, '/work?queue=unassigned');
  t.match(text((await siri.get('/work?queue=mine')).body), '3 saker er oppdatert.');
  const closing = await siri.post('/work/bulk', { case: numbers, action: 'status', status: 'closed' });
  t.equal(closing.statusCode, 303);
  t.match(text((await siri.get('/work')).body), 'Avsluttet og Utsatt krever en melding til kunden');
  t.same(
    (await db.selectFrom('cases').select('status').execute()).map((r) => r.status),
    ['active', 'active', 'active'],
    'no case was closed',
  );
  const anne = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'admin@kundesenter.no')
    .executeTakeFirstOrThrow();
  await siri.post('/work/bulk', { case: numbers, action: 'assign', assignee_id: String(anne.id) });
  t.match(
    text((await siri.get('/work')).body),
    '0 saker er oppdatert.',
    'someone who is no caseworker in the area is refused for every case',
  );
  await siri.post('/work/bulk', { case: numbers.slice(0, 2), action: 'status', status: 'in_progress' });
  t.same(
    (await db.selectFrom('cases').select('status').orderBy('id').execute()).map((r) => r.status),
    ['in_progress', 'in_progress', 'active'],
  );
});

t.test('a bulk action reports a case that failed on our side, and does not count it as skipped', async (t) => {
  const { db, ola, siri } = await newCase(t);
  for (const title of ['Andre sak', 'Tredje sak']) await submitCase(ola, enquiry('lonn', title, 'Tekst'));
  const numbers = (await db.selectFrom('cases').select('number').orderBy('id').execute()).map((r) => r.number);
  // The database refuses every change to the second case, as it would on a lost connection or a deadlock.
  await sql
    .raw(
      `CREATE FUNCTION refuse_case() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
       CREATE TRIGGER refuse_case BEFORE UPDATE ON cases FOR EACH ROW WHEN (OLD.number = '${numbers[1]}')
       EXECUTE FUNCTION refuse_case();`,
    )
    .execute(db);
  await siri.get('/work');
  const taken = await siri.post('/work/bulk', { case: numbers, action: 'take' });
  t.equal(taken.statusCode, 303, 'the other cases are still done');
  t.match(
    text((await siri.get('/work')).body),
    '2 saker er oppdatert. 1 kunne ikke oppdateres fordi noe gikk galt hos oss. Prøv igjen for dem.',
  );
  const assignees = await db.selectFrom('cases').select(['number', 'assignee_id']).orderBy('id').execute();
  t.same(
    assignees.map((r) => r.assignee_id !== null),
    [true, false, true],
    'the failed case is unchanged',
  );
});

t.test(
  'a phone case registered for a customer from a case template shows in their portal with its channel',
  async (t) => {
    const { db, siri, ola, path } = await newCase(t);
    const template = await db.selectFrom('templates').select('id').where('kind', '=', 'case').executeTakeFirstOrThrow();
    const search = await siri.get('/work/cases/new?q=ola%40demo', {
      'hx-request': 'true',
      'hx-request-type': 'partial',
    });
    t.match(search.body, /^<div id="customer-results">/, 'the customer search answers htmx with the results alone');
    t.match(text(search.body), 'Ola Nordmann (ola@demoetaten.no, Demoetaten)');
    const ola_ = await db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'ola@demoetaten.no')
      .executeTakeFirstOrThrow();
    const prefilled = await siri.get(`/work/cases/new?template=${template.id}&customer=${ola_.id}`);
    t.match(prefilled.body, 'value="Tilgang til lønnssystemet"', 'the template fills in the title');
    t.match(text(prefilled.body), 'Kunde: Ola Nordmann');

    const missing = await siri.post('/work/cases', {
      area: 'lonn',
      title: 'Uten kunde',
      body: 'Tekst',
      channel: 'phone',
    });
    t.equal(missing.statusCode, 422);
    t.match(text(missing.body), 'Velg kunden saken gjelder.');
    const created = await siri.post('/work/cases', {
      customer: String(ola_.id),
      area: 'lonn',
      form_code: 'henvendelse',
      category: '',
      channel: 'phone',
      title: 'Tilgang til lønnssystemet',
      body: 'Kunden ringte.',
    });
    t.equal(created.statusCode, 303);
    const number = String(created.headers.location).split('/').pop()!;
    const row = await db
      .selectFrom('cases')
      .select(['channel', 'requester_id', 'group_id'])
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    t.same({ channel: row.channel, requester: row.requester_id }, { channel: 'phone', requester: ola_.id });
    t.ok(row.group_id, 'routed like a web case');
    const receipt = await db
      .selectFrom('outbox')
      .select('recipient')
      .where('idempotency_key', 'like', 'case-acknowledgement:%')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    t.equal(receipt.recipient, 'ola@demoetaten.no', 'the customer gets the acknowledgement');
    const portal = text((await ola.get('/cases')).body);
    t.match(portal, number);
    t.match(text((await ola.get(`/cases/${number}`)).body), 'Kanal Telefon');
    await ola.get(path);
    t.equal(
      (
        await ola.post('/work/cases', {
          customer: String(ola_.id),
          area: 'lonn',
          channel: 'phone',
          title: 'x',
          body: 'y',
        })
      ).statusCode,
      403,
      'customers cannot register cases for others',
    );
  },
);

t.test('answer templates fill their placeholders; an unknown placeholder is refused', async (t) => {
  const { db, siri, path } = await newCase(t);
  const number = path.split('/').pop()!;
  const template = await db
    .selectFrom('templates')
    .select('id')
    .where('name', '=', 'Dokumentasjon mottatt')
    .executeTakeFirstOrThrow();
  const filled = await siri.get(`${path}?template=${template.id}`);
  t.equal(filled.statusCode, 200);
  t.match(filled.body, `Hei Ola Nordmann.\n\nVi har mottatt dokumentasjonen i sak ${number}`);
  t.notMatch(filled.body, '{frist}');
  const bad = await db
    .insertInto('templates')
    .values({ kind: 'answer', name: 'Feil mal', body: 'Hei {navn}, sak {saksnummer}' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const refused = await siri.get(`${path}?template=${bad.id}`);
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Malen bruker felt vi ikke kjenner: {navn}.');
});

t.test('a change request gets a longer target, and the customer is told', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const before = await caseRow(db);
  const page = await siri.get(path);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  t.match(text(page.body), 'Kundens andre saker');
  const classified = await siri.post(`${path}/classification`, { classification: 'change_request', version });
  t.equal(classified.statusCode, 303);
  const after = await caseRow(db);
  t.equal(after.classification, 'change_request');
  t.ok(after.due_at.getTime() - before.due_at.getTime() > 10 * 86_400_000, 'twenty working days instead of two');
  const notice = await db
    .selectFrom('outbox')
    .select(['recipient', 'kind'])
    .where('kind', '=', 'case_classified')
    .executeTakeFirstOrThrow();
  t.equal(notice.recipient, 'ola@demoetaten.no');
  t.match(text((await ola.get(path)).body), 'Endringsønske');
  await ola.get(path);
  t.equal(
    (await ola.post(`${path}/classification`, { classification: '' })).statusCode,
    403,
    'customers cannot classify',
  );
  t.same((await events(db)).slice(-1), ['classification']);
});

t.test('the workspace counts breached and at-risk cases; customers reach no workspace page in any form', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  await db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() - 3_600_000) })
    .execute();
  await submitCase(ola, enquiry('lonn', 'Snart frist', 'Tekst'));
  await db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() + 3_600_000) })
    .where('title', '=', 'Snart frist')
    .execute();
  const work = text((await siri.get('/work')).body);
  t.match(work, '1 saker er over fristen, og 1 har under ett døgn igjen.');
  t.match(text((await siri.get('/work?queue=overdue')).body), path.split('/').pop()!);
  t.equal((await siri.get('/work/shortcuts')).statusCode, 200);
  for (const url of ['/work', '/work?queue=overdue', '/work/cases/new', '/work/shortcuts']) {
    t.equal((await ola.get(url)).statusCode, 403, `GET ${url}`);
    t.equal(
      (await ola.get(url, { 'hx-request': 'true', 'hx-request-type': 'partial' })).statusCode,
      403,
      `htmx GET ${url}`,
    );
  }
  await ola.get(path);
  t.equal((await ola.post('/work/bulk', { case: path.split('/').pop()!, action: 'take' })).statusCode, 403);
});

t.test('a file on an internal note is never reachable by the customer, not even by its id', async (t) => {
  const { db, ola, siri, path } = await newCase(t);
  const page = await siri.get(path);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  const noted = await siri.postMultipart(
    `${path}/messages`,
    { version, kind: 'internal_note', message: 'Lønnsdata fra systemet' },
    [{ name: 'intern-rapport.pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') }],
  );
  t.equal(noted.statusCode, 303);
  const file = await db.selectFrom('attachments').select('id').executeTakeFirstOrThrow();
  t.equal((await siri.get(`${path}/attachments/${file.id}`)).statusCode, 200, 'the caseworker downloads it');
  t.equal((await ola.get(`${path}/attachments/${file.id}`)).statusCode, 404, 'the customer gets not found');
  t.notMatch(text((await ola.get(path)).body), 'intern-rapport.pdf');
});

t.test('the workspace opens on the deadline, overdue first; another order is one click away', async (t) => {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  const numbers: string[] = [];
  for (const title of ['Ny i dag', 'Forfalt i går', 'Forfaller neste uke']) {
    const created = await submitCase(ola, enquiry('lonn', title, 'Tekst'));
    numbers.push(String(created.headers.location).split('/').pop()!);
  }
  const day = 86_400_000;
  const dues = [Date.now() + 2 * day, Date.now() - day, Date.now() + 7 * day];
  for (const [index, number] of numbers.entries())
    await app.db
      .updateTable('cases')
      .set({ due_at: new Date(dues[index]!) })
      .where('number', '=', number)
      .execute();
  const siri = await app.login('siri@kundesenter.no');
  t.same(
    caseNumbersIn((await siri.get('/work?queue=all')).body),
    [numbers[1], numbers[0], numbers[2]],
    'overdue first, then by deadline',
  );
  t.same(
    caseNumbersIn((await siri.get('/work?queue=all&sort=created&dir=desc')).body),
    [numbers[2], numbers[1], numbers[0]],
    'newest first when asked',
  );
});
