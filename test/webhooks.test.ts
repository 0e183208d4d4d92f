// Webhooks as a receiver on loopback sees them: signed (and refused outside the replay window), in order
// per case, only what the client may read (no internal notes for an agency, text only when asked for),
// retried after a failure while later events of the case wait, paused after repeated failures and resumed,
// sent again on request, at least once when the worker is killed mid-delivery, and never to a private
// address in production, whatever the name resolves to.
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { createClient, revokeClient, type ApiScope } from '../src/api/clients.js';
import { verify } from '../src/webhooks/signature.js';
import { deliverWebhooks, pauseAfterFailures } from '../src/webhooks/worker.js';
import { build, enquiry, submitCase, type TestApp } from './helpers.js';
import { apiContract } from './openapi.js';
import { deliverTestReport } from './reporting-fixture.js';
import { sleep, until } from './processes.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { id: string; type: string; data: Record<string, Record<string, unknown>> };
}

/** A receiver on loopback: records every call; `answer` decides the status (0: never answers). */
async function receiver(t: { teardown(fn: () => unknown): void }) {
  const received: Received[] = [];
  const state = { answer: (_path: string) => 200 };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body, json: JSON.parse(body) });
      const status = state.answer(path);
      if (status > 0) response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, state };
}

async function clients(app: TestApp) {
  const { db } = app;
  const agency = async (name: string) =>
    (await db.selectFrom('agencies').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const audit = async () => {};
  const centreScopes: ApiScope[] = ['cases:read', 'messages:write', 'status:write', 'webhooks:manage'];
  const sap = await createClient(
    db,
    audit,
    { name: 'SAP', owner: 'Drift', reach: 'centre', agencyId: null, scopes: centreScopes },
    1,
  );
  const hr = await createClient(
    db,
    audit,
    {
      name: 'HR',
      owner: 'IT',
      reach: 'agency',
      agencyId: await agency('Demoetaten'),
      scopes: ['cases:read', 'reporting:read', 'webhooks:manage'],
    },
    1,
  );
  const api = (token: string) => (method: 'GET' | 'POST' | 'DELETE', url: string, body?: object) =>
    app.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { payload: JSON.stringify(body) } : {}),
    });
  return { sap: { ...sap, call: api(sap.token) }, hr: { ...hr, call: api(hr.token) } };
}

const json = (response: LightMyRequestResponse) => response.json() as Record<string, unknown>;
const caseEvents = ['case.created', 'case.updated', 'case.status_changed', 'message.created'];

/** Delivers until nothing more is due. */
async function drain(app: TestApp, allowLoopback = true) {
  const settings = { publicUrl: app.config.publicUrl, allowLoopback, timeoutMs: 5_000 };
  let total = 0;
  for (let n = await deliverWebhooks(app.db, settings); n > 0; n = await deliverWebhooks(app.db, settings)) total += n;
  return total;
}

const numberOf = (response: { headers: Record<string, unknown> }) =>
  String(response.headers.location).split('/').pop()!;

t.test('signed, in order per case, and only what the client may read', async (t) => {
  const app = await build(t);
  const hook = await receiver(t);
  const { sap, hr } = await clients(app);

  const made = await sap.call('POST', '/webhooks', {
    url: `${hook.url}/sap`,
    events: caseEvents,
    include_content: true,
  });
  t.equal(made.statusCode, 201);
  const sapSecret = String(json(made).secret);
  t.match(sapSecret, /^whsec_/);
  t.notOk(json(await sap.call('GET', `/webhooks/${json(made).id}`)).secret, 'the secret is shown once');
  t.equal(
    (await hr.call('POST', '/webhooks', { url: `${hook.url}/hr`, events: ['message.created'], include_content: true }))
      .statusCode,
    422,
    "message text is for the centre's clients",
  );
  const hrMade = await hr.call('POST', '/webhooks', {
    url: `${hook.url}/hr`,
    events: ['case.created', 'message.created', 'case.status_changed', 'reporting.delivered'],
  });
  const hrSecret = String(json(hrMade).secret);
  t.equal(
    (await sap.call('POST', '/webhooks', { url: `${hook.url}/x`, events: ['reporting.delivered'] })).statusCode,
    422,
    'reporting.delivered needs reporting:read',
  );

  // Ola's case is answered; Per's (another agency) only opened.
  const ola = await app.login('ola@demoetaten.no');
  const own = numberOf(await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst')));
  const per = await app.login('per@testdirektoratet.no');
  const other = numberOf(await submitCase(per, enquiry('regnskap', 'Pers sak', 'Tekst')));
  t.equal(
    (await sap.call('POST', `/cases/${own}/messages`, { kind: 'internal_note', body: 'Intern sjekk' })).statusCode,
    201,
  );
  t.equal(
    (
      await sap.call('POST', `/cases/${own}/status`, {
        status: 'awaiting_customer',
        message: { body: 'Kan du sende lønnsslippen?' },
      })
    ).statusCode,
    200,
  );
  t.ok((await drain(app)) > 0);

  for (const call of hook.received) {
    const secret = call.path === '/sap' ? sapSecret : hrSecret;
    t.ok(verify(secret, call.headers['kundesenter-signature'] as string, call.body), `signed: ${call.json.type}`);
    t.equal(call.headers['kundesenter-event-id'], call.json.id);
  }
  const first = hook.received[0]!;
  const at = Number(/t=(\d+)/.exec(String(first.headers['kundesenter-signature']))![1]);
  t.notOk(
    verify(sapSecret, first.headers['kundesenter-signature'] as string, first.body, 300, (at + 301) * 1000),
    'outside the replay window',
  );
  t.notOk(verify(sapSecret, first.headers['kundesenter-signature'] as string, `${first.body} `), 'another body');

  const sapOwn = hook.received.filter((r) => r.path === '/sap' && r.json.data.case?.number === own);
  t.same(
    sapOwn.map((r) => [r.json.type, r.json.data.event?.kind]),
    [
      ['case.created', 'created'],
      ['message.created', 'internal_note'],
      ['message.created', 'message'],
      ['case.status_changed', 'status'],
    ],
    'in the order it happened',
  );
  t.equal(sapOwn[1]!.json.data.message?.body, 'Intern sjekk', 'text, since the centre client asked');
  t.match(sapOwn[3]!.json.data.event, { from: 'active', to: 'awaiting_customer' });
  t.ok(
    hook.received.some((r) => r.path === '/sap' && r.json.data.case?.number === other),
    'the centre hears of every case',
  );

  const hrCalls = hook.received.filter((r) => r.path === '/hr');
  t.same(
    hrCalls.map((r) => [r.json.type, r.json.data.case?.number]),
    [
      ['case.created', own],
      ['message.created', own],
      ['case.status_changed', own],
    ],
    "Demoetaten's system hears of its own case, no internal note and nothing of Per's",
  );
  t.notOk(hrCalls[1]!.json.data.message?.body, 'no text');
  t.notMatch(JSON.stringify(hrCalls), 'Kan du sende', 'the content stays out of the payload');

  // A periodic report delivered by Kari reaches Demoetaten's system.
  const receipt = await deliverTestReport(await app.login('kari@demoetaten.no'));
  await drain(app);
  const delivered = hook.received.find((r) => r.path === '/hr' && r.json.type === 'reporting.delivered');
  t.equal(delivered?.json.data.delivery?.receipt, receipt);
});

t.test('a failing receiver: retries in order, pauses, resumes, and a delivery sent again', async (t) => {
  const app = await build(t);
  const hook = await receiver(t);
  const { sap } = await clients(app);
  const id = json(await sap.call('POST', '/webhooks', { url: `${hook.url}/sap`, events: caseEvents })).id;
  const ola = await app.login('ola@demoetaten.no');
  const number = numberOf(await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst')));
  await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body: 'Én' });
  await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body: 'To' });

  hook.state.answer = () => 500;
  t.equal(await drain(app), 1, 'only the first event of the case is tried');
  const log = json(await sap.call('GET', `/webhooks/${id}/deliveries`)).items as Record<string, unknown>[];
  t.equal(log.length, 3);
  t.match(log.at(-1), { event_type: 'case.created', attempts: 1, last_status: 500, delivered_at: null });
  t.ok(new Date(String(log.at(-1)!.next_attempt_at)).getTime() > Date.now() + 20_000, 'tried again later');
  t.same(
    log.slice(0, 2).map((d) => d.attempts),
    [0, 0],
    'the later events wait for it',
  );

  // The receiver is back; the retry falls due (the clock moved on).
  hook.state.answer = () => 204;
  await app.db.updateTable('webhook_deliveries').set({ next_attempt_at: new Date() }).execute();
  await drain(app);
  const okCalls = hook.received.slice(1);
  t.same(
    okCalls.map((r) => r.json.type),
    ['case.created', 'message.created', 'message.created'],
    'delivered in order after the retry',
  );
  t.equal(okCalls[0]!.json.id, hook.received[0]!.json.id, 'the retry carries the same event id');

  // Failures in a row pause it; events keep coming and wait.
  hook.state.answer = () => 503;
  await app.db
    .updateTable('webhook_subscriptions')
    .set({ failures: pauseAfterFailures - 1 })
    .execute();
  await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body: 'Tre' });
  await drain(app);
  t.match(json(await sap.call('GET', `/webhooks/${id}`)), { paused_reason: 'failures', failures: pauseAfterFailures });
  await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body: 'Fire' });
  const before = hook.received.length;
  t.equal(await drain(app), 0, 'nothing is sent while paused');
  hook.state.answer = () => 200;
  t.match(json(await sap.call('POST', `/webhooks/${id}/resume`)), { paused_at: null, failures: 0 });
  await drain(app);
  t.equal(hook.received.length - before, 2, 'both waiting events after resuming');

  // Sent again on request, same id.
  const latest = (
    json(await sap.call('GET', `/webhooks/${id}/deliveries?limit=1`)).items as { id: number; event_id: string }[]
  )[0]!;
  t.equal((await sap.call('POST', `/webhooks/${id}/deliveries/${latest.id}/redeliver`)).statusCode, 202);
  await drain(app);
  t.equal(hook.received.at(-1)!.json.id, latest.event_id);

  const other = await createClient(
    app.db,
    async () => {},
    { name: 'Andre', owner: 'IT', reach: 'centre', agencyId: null, scopes: ['webhooks:manage'] },
    1,
  );
  const otherCall = (url: string) =>
    app.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${other.token}` } });
  t.equal((await otherCall(`/webhooks/${id}`)).statusCode, 404, "another client's subscription");
  t.equal((await otherCall(`/webhooks/${id}/deliveries`)).statusCode, 404);
  t.equal((await sap.call('DELETE', `/webhooks/${id}`)).statusCode, 204);
  t.same(json(await sap.call('GET', '/webhooks')), []);

  // At most ten per client.
  for (let i = 0; i < 10; i++)
    t.equal(
      (await sap.call('POST', '/webhooks', { url: `${hook.url}/n${i}`, events: ['case.created'] })).statusCode,
      201,
    );
  const eleventh = await sap.call('POST', '/webhooks', { url: `${hook.url}/n10`, events: ['case.created'] });
  t.match(json(eleventh), { status: 422, errors: [{ field: 'url', detail: /høyst 10 abonnementer/ }] });
  for (const s of json(await sap.call('GET', '/webhooks')) as unknown as { id: number }[])
    await sap.call('DELETE', `/webhooks/${s.id}`);

  // Every kind of answer of the webhook routes matches the OpenAPI document.
  const { conforms } = await apiContract(app.app);
  const made = await sap.call('POST', '/webhooks', { url: `${hook.url}/sap`, events: ['case.created'] });
  const again = json(made).id;
  t.same(
    [
      ...conforms('POST', '/api/v1/webhooks', 201, made),
      ...conforms(
        'POST',
        '/api/v1/webhooks',
        422,
        await sap.call('POST', '/webhooks', { url: 'ftp://x', events: ['case.created'] }),
      ),
      ...conforms(
        'POST',
        '/api/v1/webhooks',
        400,
        await sap.call('POST', '/webhooks', { url: 'https://x.no', events: [] }),
      ),
      ...conforms('GET', '/api/v1/webhooks', 200, await sap.call('GET', '/webhooks')),
      ...conforms('GET', '/api/v1/webhooks/{id}', 200, await sap.call('GET', `/webhooks/${again}`)),
      ...conforms('GET', '/api/v1/webhooks/{id}', 404, await sap.call('GET', `/webhooks/${id}`)),
      ...conforms('POST', '/api/v1/webhooks/{id}/pause', 200, await sap.call('POST', `/webhooks/${again}/pause`)),
      ...conforms(
        'GET',
        '/api/v1/webhooks/{id}/deliveries',
        200,
        await sap.call('GET', `/webhooks/${again}/deliveries`),
      ),
      ...conforms(
        'GET',
        '/api/v1/webhooks/{id}/deliveries',
        400,
        await sap.call('GET', `/webhooks/${again}/deliveries?limit=0`),
      ),
    ],
    [],
  );
});

t.test('private and loopback targets are refused in production, before and after DNS', async (t) => {
  const app = await build(t, { env: { WEBHOOKS_ALLOW_LOOPBACK: '0' } });
  const hook = await receiver(t);
  const { sap } = await clients(app);
  const refusal = async (url: string) => {
    const response = await sap.call('POST', '/webhooks', { url, events: ['case.created'] });
    return [response.statusCode, (json(response).errors as { detail: string }[] | undefined)?.[0]?.detail];
  };
  t.match(await refusal(`${hook.url}/x`), [422, /bare over HTTPS/]);
  for (const url of [
    'https://10.1.2.3/hook',
    'https://169.254.169.254/latest/meta-data',
    'https://[::1]/hook',
    'https://[::ffff:192.168.1.1]/hook',
    'https://localhost/hook',
  ])
    t.match(await refusal(url), [422, /privat eller internt nett/], url);
  t.match(await refusal('https://user:pw@example.no/'), [422, /uten brukernavn/]);

  // A subscription whose name now points inside (as after DNS rebinding): the call is never made.
  const { id } = await app.db
    .insertInto('webhook_subscriptions')
    .values({ client_id: sap.id, url: `${hook.url}/inside`, events: ['case.created'], secret: 'x'.repeat(40) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ola = await app.login('ola@demoetaten.no');
  await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst'));
  await drain(app, false);
  t.equal(hook.received.length, 0, 'nothing reached the loopback receiver');
  const row = await app.db
    .selectFrom('webhook_deliveries')
    .select(['last_error', 'delivered_at'])
    .where('subscription_id', '=', id)
    .executeTakeFirstOrThrow();
  t.match(row, { delivered_at: null, last_error: /not a public one/ });
});

t.test('a worker killed mid-delivery: the event goes again with the same id, and order holds', async (t) => {
  const app = await build(t);
  const hook = await receiver(t);
  const { sap } = await clients(app);
  await sap.call('POST', '/webhooks', { url: `${hook.url}/sap`, events: caseEvents });
  const ola = await app.login('ola@demoetaten.no');
  const number = numberOf(await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst')));
  for (const body of ['Én', 'To', 'Tre'])
    await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body });

  // The receiver takes the first call and never answers; the worker is killed while it waits.
  hook.state.answer = () => 0;
  const databaseUrl = (app.config.databaseUrl ?? '') as string;
  const worker = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/webhook-worker.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PUBLIC_URL: app.config.publicUrl.href, WEBHOOK_LEASE_MS: '800' },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  await until('the first call', 30_000, async () => (hook.received.length > 0 ? true : undefined));
  worker.kill('SIGKILL');
  await exited;
  t.equal(hook.received.length, 1, 'nothing after the unanswered call');

  hook.state.answer = () => 200;
  await sleep(900); // the killed worker's lease runs out
  await drain(app);
  const ids = hook.received.map((r) => r.json.id);
  t.equal(ids[0], ids[1], 'the interrupted event again, same id');
  t.same(
    hook.received.slice(1).map((r) => r.json.type),
    ['case.created', 'message.created', 'message.created', 'message.created'],
    'then the rest, in order',
  );
  t.equal(new Set(ids).size, 4, 'a receiver that keeps event ids sees each event once');

  // A revoked client's waiting events are not sent.
  await sap.call('POST', `/cases/${number}/messages`, { kind: 'internal_note', body: 'Fire' });
  await revokeClient(app.db, async () => {}, sap.id);
  const count = hook.received.length;
  t.equal(await drain(app), 0);
  t.equal(hook.received.length, count, 'nothing after the revocation');
});
