// The API's writing endpoints as a specialist system and an agency's system use them: a case opened for
// a customer (answers checked by the form, files by their bytes), messages and internal notes, status by
// the page's rules, assignment, If-Match against the case version, downloads, report deliveries, and
// validation errors in the language asked for. Each refusal changes nothing.
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { createClient, type ApiScope } from '../src/api/clients.js';
import { build, enquiry, submitCase } from './helpers.js';
import { apiContract } from './openapi.js';

const audit = async () => {};
const allScopes: ApiScope[] = ['cases:read', 'cases:write', 'messages:write', 'status:write', 'reporting:read'];

t.test('a specialist system opens, answers, assigns and closes a case by the page’s rules', async (t) => {
  const { app, db, login } = await build(t);
  const demoetaten = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
  ).id;
  const sap = await createClient(
    db,
    audit,
    { name: 'SAP', owner: 'Drift', reach: 'centre', agencyId: null, scopes: allScopes },
    1,
  );
  const hr = await createClient(
    db,
    audit,
    { name: 'HR', owner: 'IT', reach: 'agency', agencyId: demoetaten, scopes: allScopes },
    1,
  );
  const send = (method: 'GET' | 'POST', url: string, token: string, body?: object, headers = {}) =>
    app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
  const json = (response: LightMyRequestResponse) => response.json() as Record<string, unknown>;
  const { conforms } = await apiContract(app);
  const contract: string[] = [];
  const check = (method: string, path: string, status: number, response: LightMyRequestResponse) =>
    contract.push(...conforms(method, `/api/v1${path}`, status, response));
  const caseCount = async () => (await db.selectFrom('cases').select('id').execute()).length;

  // Opening a case for Ola: his by his address, with the form's answers and a file.
  const opening = {
    requester: { email: 'OLA@demoetaten.no' },
    area: 'lonn',
    form: 'henvendelse',
    channel: 'phone',
    title: 'Feil i lønnsslipp',
    body: 'Ringte om trekk i juni.',
    answers: { kind: 'question' },
    attachments: [{ filename: 'notat.txt', data: Buffer.from('Samtalenotat').toString('base64') }],
  };
  const before = await caseCount();
  const refused = await send('POST', '/cases', sap.token, { ...opening, answers: { kind: 'colour', size: 3 } });
  t.equal(refused.statusCode, 422);
  check('POST', '/cases', 422, refused);
  t.match(json(refused), {
    title: 'Ugyldig innhold',
    errors: [
      { field: 'answers.size', detail: 'Skjemaet har ikke dette spørsmålet.' },
      { field: 'answers.kind', detail: /velg/i },
    ],
  });
  const english = await send(
    'POST',
    '/cases',
    sap.token,
    { ...opening, requester: { id: 999999 } },
    {
      'accept-language': 'en',
    },
  );
  t.match(json(english), { title: 'Invalid content', errors: [{ field: 'requester', detail: /No active customer/ }] });
  const badFile = await send('POST', '/cases', sap.token, {
    ...opening,
    attachments: [{ filename: 'faktura.pdf', data: Buffer.from('MZ\x90\x00 not a pdf').toString('base64') }],
  });
  t.equal(badFile.statusCode, 422, 'a file is judged by its bytes');
  t.match(json(badFile), { errors: [{ field: 'attachments' }] });
  const schemaError = await send('POST', '/cases', sap.token, { ...opening, colour: 'red' });
  t.equal(schemaError.statusCode, 400);
  check('POST', '/cases', 400, schemaError);
  t.match(json(schemaError), {
    errors: [{ field: 'colour', detail: 'Er ikke et kjent felt.' }],
  });
  t.equal(await caseCount(), before, 'nothing refused was saved');

  const created = await send('POST', '/cases', sap.token, opening, { 'idempotency-key': 'open-1' });
  t.equal(created.statusCode, 201);
  check('POST', '/cases', 201, created);
  const number = String(json(created).number);
  const replay = await send('POST', '/cases', sap.token, opening, { 'idempotency-key': 'open-1' });
  t.same(json(replay), json(created), 'a retry gets the same case');
  t.equal(await caseCount(), before + 1, 'opened once');
  const ola = await login('ola@demoetaten.no');
  const page = await ola.get(`/cases/${number}`);
  t.equal(page.statusCode, 200, 'the case is Ola’s');
  t.match(page.body, 'notat.txt');
  const stored = await db
    .selectFrom('cases')
    .select(['channel', 'answers'])
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.match(stored, { channel: 'phone', answers: { kind: 'question' } });
  const event = await db
    .selectFrom('case_events')
    .innerJoin('users', 'users.id', 'case_events.actor_id')
    .innerJoin('cases', 'cases.id', 'case_events.case_id')
    .select('users.name')
    .where('cases.number', '=', number)
    .where('case_events.kind', '=', 'created')
    .executeTakeFirstOrThrow();
  t.equal(event.name, 'API: SAP', 'the client registered it');
  const acknowledged = await db
    .selectFrom('outbox')
    .select('recipient')
    .where('kind', '=', 'case_acknowledgement')
    .where('recipient', '=', 'ola@demoetaten.no')
    .execute();
  t.equal(acknowledged.length, 1, 'Ola gets the acknowledgement');

  // Demoetaten's own system reaches its own people only.
  t.match(
    json(await send('POST', '/cases', hr.token, { ...opening, requester: { email: 'per@testdirektoratet.no' } })),
    {
      errors: [{ field: 'requester' }],
    },
  );
  // …and the areas it buys: without regnskap, no case there.
  const regnskap = (await db.selectFrom('areas').select('id').where('code', '=', 'regnskap').executeTakeFirstOrThrow())
    .id;
  await db.deleteFrom('agency_areas').where('agency_id', '=', demoetaten).where('area_id', '=', regnskap).execute();
  t.match(json(await send('POST', '/cases', hr.token, { ...opening, area: 'regnskap' })), {
    errors: [{ field: 'area' }],
  });

  // Messages: an answer and an internal note from the centre; a message from the agency's side.
  const version = json(await send('GET', `/cases/${number}`, sap.token)).version as number;
  const note = await send('POST', `/cases/${number}/messages`, sap.token, {
    kind: 'internal_note',
    body: 'Sjekket i SAP: trekket er riktig.',
  });
  t.equal(note.statusCode, 201);
  check('POST', '/cases/{number}/messages', 201, note);
  t.equal(json(note).version, version + 1);
  const stale = await send(
    'POST',
    `/cases/${number}/messages`,
    sap.token,
    { body: 'Svar' },
    { 'if-match': `"${version}"` },
  );
  t.equal(stale.statusCode, 412, 'a write on an older version is refused');
  check('POST', '/cases/{number}/messages', 412, stale);
  t.match(json(stale), { title: 'Saken er endret' });
  const answered = await send(
    'POST',
    `/cases/${number}/messages`,
    sap.token,
    { body: 'Trekket gjelder feriepenger.' },
    { 'if-match': `"${version + 1}"` },
  );
  t.equal(answered.statusCode, 201);
  const olaView = await ola.get(`/cases/${number}`);
  t.match(olaView.body, 'Trekket gjelder feriepenger.');
  t.notMatch(olaView.body, 'Sjekket i SAP', 'the internal note stays internal');
  const hrRead = json(await send('GET', `/cases/${number}`, hr.token));
  t.notMatch(JSON.stringify(hrRead), 'Sjekket i SAP', "not to the agency's system either");
  t.equal(
    (await send('POST', `/cases/${number}/messages`, hr.token, { kind: 'internal_note', body: 'x' })).statusCode,
    422,
    'an agency writes no internal notes',
  );
  const agencyStale = await send(
    'POST',
    `/cases/${number}/messages`,
    hr.token,
    { body: 'Takk' },
    { 'if-match': `"${version}"` },
  );
  t.equal(agencyStale.statusCode, 412, "the agency's writes are checked against the version too");
  const fromAgency = await send('POST', `/cases/${number}/messages`, hr.token, { body: 'Takk, da forstår vi.' });
  t.equal(fromAgency.statusCode, 201);

  // Status by the page's rules.
  const postpone = await send('POST', `/cases/${number}/status`, sap.token, { status: 'postponed' });
  t.equal(postpone.statusCode, 422);
  check('POST', '/cases/{number}/status', 422, postpone);
  t.match(json(postpone), { errors: [{ field: 'status', detail: /melding/i }] });
  const closeWithNote = await send('POST', `/cases/${number}/status`, sap.token, {
    status: 'closed',
    message: { kind: 'internal_note', body: 'Ferdig' },
  });
  t.equal(closeWithNote.statusCode, 422, 'closing needs a final answer');
  t.equal((await send('POST', `/cases/${number}/status`, hr.token, { status: 'closed' })).statusCode, 403);

  // Assignment to a caseworker of the area; someone outside it is refused.
  const siri = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'siri@kundesenter.no')
    .executeTakeFirstOrThrow();
  const outsider = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'per@testdirektoratet.no')
    .executeTakeFirstOrThrow();
  t.equal((await send('POST', `/cases/${number}/assignment`, sap.token, { assignee_id: outsider.id })).statusCode, 422);
  const assigned = await send('POST', `/cases/${number}/assignment`, sap.token, { assignee_id: siri.id });
  t.equal(assigned.statusCode, 200);
  check('POST', '/cases/{number}/assignment', 200, assigned);
  t.equal(
    (await db.selectFrom('cases').select('assignee_id').where('number', '=', number).executeTakeFirstOrThrow())
      .assignee_id,
    siri.id,
  );
  t.equal((await send('POST', `/cases/${number}/assignment`, hr.token, { assignee_id: siri.id })).statusCode, 403);

  const closed = await send('POST', `/cases/${number}/status`, sap.token, {
    status: 'closed',
    message: { body: 'Saken er løst: trekket var feriepenger.' },
  });
  t.equal(closed.statusCode, 200);
  check('POST', '/cases/{number}/status', 200, closed);
  t.match(json(closed), { number, status: 'closed' });

  // Files: the case's own, and another agency's case answers 404.
  const files = json(await send('GET', `/cases/${number}`, sap.token)).attachments as { id: number }[];
  const download = await send('GET', `/cases/${number}/attachments/${files[0]!.id}`, hr.token);
  t.equal(download.statusCode, 200);
  t.equal(download.body, 'Samtalenotat');
  const per = await login('per@testdirektoratet.no');
  const others = String((await submitCase(per, enquiry('regnskap', 'Pers sak', 'Tekst'))).headers.location)
    .split('/')
    .pop()!;
  t.equal((await send('GET', `/cases/${others}`, hr.token)).statusCode, 404);
  t.equal((await send('POST', `/cases/${others}/messages`, hr.token, { body: 'Hei' })).statusCode, 404);
  t.equal((await send('GET', `/cases/${others}/attachments/${files[0]!.id}`, sap.token)).statusCode, 404);

  // Report deliveries: every agency's for the centre, Demoetaten's own for its system.
  const all = json(await send('GET', '/reporting/deliveries?limit=200', sap.token)).items as { agency: string }[];
  const own = json(await send('GET', '/reporting/deliveries?limit=200', hr.token)).items as { agency: string }[];
  t.ok(all.length > 0, 'the seeded deliveries');
  t.ok(own.length > 0 && own.every((d) => d.agency === 'Demoetaten'), 'only its own agency');
  const td = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Testdirektoratet').executeTakeFirstOrThrow()
  ).id;
  const tdSystem = await createClient(
    db,
    audit,
    { name: 'TD', owner: 'IT', reach: 'agency', agencyId: td, scopes: ['reporting:read'] },
    1,
  );
  t.same(
    json(await send('GET', '/reporting/deliveries', tdSystem.token)).items,
    [],
    "another agency's system sees none of Demoetaten's",
  );
  t.equal((await send('GET', '/reporting/deliveries?period=2026-13', sap.token)).statusCode, 400);
  check('GET', '/reporting/deliveries', 200, await send('GET', '/reporting/deliveries', sap.token));
  check('GET', '/cases/{number}/attachments/{id}', 404, await send('GET', `/cases/${others}/attachments/1`, sap.token));
  // Without a queue the centre's client lists every case, closed ones too.
  const listed = json(await send('GET', '/cases?limit=200', sap.token)).items as { number: string; status: string }[];
  t.match(
    listed.find((c) => c.number === number),
    { status: 'closed' },
  );
  // The workspace's queues are the centre's filters.
  const queue = await send('GET', '/cases?queue=unassigned&limit=200', sap.token);
  t.equal(queue.statusCode, 200);
  const queued = (json(queue).items as { number: string }[]).map((c) => c.number);
  t.notOk(queued.includes(number), 'an assigned case is not in the unassigned queue');
  t.ok(queued.includes(others), "Per's new case, routed to a group and not yet taken, is");
  t.match(json(await send('GET', '/cases?queue=unassigned', hr.token)), { status: 400, errors: [{ field: 'queue' }] });
  t.same(contract, [], 'every answer matches the OpenAPI document');
});
