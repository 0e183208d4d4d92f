// The integration API as its clients meet it: bearer tokens (none, wrong, expired, revoked, rotated),
// reach (the centre sees every case, an agency's client only its own agency's), scopes, problem
// documents in the language asked for, the OpenAPI 3.1 document and a centre client's read in the trail.
import t from 'tap';
import type { LightMyRequestResponse } from 'fastify';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createClient, revokeClient, rotateToken } from '../src/api/clients.js';
import { build, enquiry, submitCase, type TestApp } from './helpers.js';
import { apiContract } from './openapi.js';

/** Ola's case in Demoetaten (lønn) and Per's in Testdirektoratet (regnskap). */
async function twoCases(login: TestApp['login']) {
  const ola = await login('ola@demoetaten.no');
  const numberOf = (response: { headers: Record<string, unknown> }) =>
    String(response.headers.location).split('/').pop()!;
  const own = numberOf(await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst')));
  const per = await login('per@testdirektoratet.no');
  const other = numberOf(await submitCase(per, enquiry('regnskap', 'Pers sak', 'Tekst')));
  return { ola, own, other };
}

t.test('clients, tokens, reach and scopes', async (t) => {
  const { app, db, login } = await build(t);
  const { ola, own, other } = await twoCases(login);
  const agency = async (name: string) =>
    (await db.selectFrom('agencies').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const audit = async () => {};
  const centre = await createClient(
    db,
    audit,
    { name: 'Fagsystem lønn', owner: 'Drift', reach: 'centre', agencyId: null, scopes: ['cases:read'] },
    1,
  );
  const demo = await createClient(
    db,
    audit,
    {
      name: 'Demoetatens HR',
      owner: 'IT',
      reach: 'agency',
      agencyId: await agency('Demoetaten'),
      scopes: ['cases:read'],
    },
    1,
  );
  const noScope = await createClient(
    db,
    audit,
    { name: 'Uten tilgang', owner: 'IT', reach: 'centre', agencyId: null, scopes: [] },
    1,
  );
  const call = (url: string, token?: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const json = (response: LightMyRequestResponse) => response.json() as Record<string, unknown>;

  const anonymous = await call(`/api/v1/cases/${own}`);
  t.equal(anonymous.statusCode, 401);
  t.equal(anonymous.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.match(json(anonymous), { status: 401, title: 'Mangler tilgang til API-et', detail: /gyldig tilgangsnøkkel/ });
  t.match(json(await call(`/api/v1/cases/${own}`, 'ks_nonsense', { 'accept-language': 'en' })), {
    title: 'No access to the API',
    detail: /valid access token/,
  });
  // A browser's session cookie is no way in.
  t.equal((await call(`/api/v1/cases/${own}`, undefined, { cookie: ola.cookieHeader() })).statusCode, 401);

  const read = await call(`/api/v1/cases/${own}`, centre.token);
  t.equal(read.statusCode, 200);
  t.match(json(read), { number: own, title: 'Olas sak', status: 'active' });
  t.equal(read.headers.etag, `"${json(read).version}"`);
  const trail = await db
    .selectFrom('audit_log')
    .select(['actor_name', 'object_id'])
    .where('action', '=', 'case.read')
    .execute();
  t.ok(
    trail.some((e) => e.actor_name === 'API: Fagsystem lønn' && e.object_id === own),
    "the centre client's read is in the trail",
  );

  t.equal(
    (await call(`/api/v1/cases/${own}`, demo.token)).statusCode,
    200,
    "an agency's client reads its own agency's case",
  );
  const hidden = await call(`/api/v1/cases/${other}`, demo.token);
  t.equal(hidden.statusCode, 404, "and not another agency's");
  t.equal(hidden.headers['content-type'], 'application/problem+json; charset=utf-8');
  t.equal((await call(`/api/v1/cases/${other}`, centre.token)).statusCode, 200, 'the centre reads every agency');
  t.equal((await call(`/api/v1/cases/${own}`, noScope.token)).statusCode, 403, 'without cases:read');

  const list = json(await call('/api/v1/cases', demo.token));
  t.same(
    (list.items as { number: string }[]).map((c) => c.number),
    [own],
    "the agency's client lists its agency's cases",
  );
  const all = json(await call('/api/v1/cases?sort=number&dir=asc', centre.token));
  t.same(
    (all.items as { number: string }[]).map((c) => c.number).filter((n) => n === own || n === other),
    [own, other],
  );
  // Pages of the size asked for, up to 200, followed by their cursor.
  const first = json(await call('/api/v1/cases?sort=number&dir=asc&limit=1', centre.token));
  t.equal((first.items as unknown[]).length, 1);
  const second = json(await call(`/api/v1/cases?sort=number&dir=asc&limit=1&after=${first.next}`, centre.token));
  t.not((second.items as { number: string }[])[0]!.number, (first.items as { number: string }[])[0]!.number);
  t.equal((await call('/api/v1/cases?limit=201', centre.token)).statusCode, 400, 'at most 200');
  const bad = await call('/api/v1/cases?sort=colour', centre.token);
  t.equal(bad.statusCode, 400);
  t.match(json(bad), { status: 400 });

  // Rotation: the old token works through the overlap; revocation ends every token at once.
  const rotated = await rotateToken(db, audit, demo.id);
  t.equal((await call(`/api/v1/cases/${own}`, rotated)).statusCode, 200);
  t.equal((await call(`/api/v1/cases/${own}`, demo.token)).statusCode, 200, 'the old token during the overlap');
  await db
    .updateTable('api_tokens')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('client_id', '=', demo.id)
    .where('prefix', '=', demo.token.slice(3, 15))
    .execute();
  t.equal((await call(`/api/v1/cases/${own}`, demo.token)).statusCode, 401, 'an expired token');
  await revokeClient(db, audit, demo.id);
  t.equal((await call(`/api/v1/cases/${own}`, rotated)).statusCode, 401, 'a revoked client');

  // The document: OpenAPI 3.1, generated from the routes, without the document's own route, valid by
  // the OpenAPI 3.1 schema; every kind of answer above validates against it.
  const doc = json(await call('/api/v1/openapi.json'));
  t.equal(doc.openapi, '3.1.0');
  t.same(Object.keys(doc.paths as object).sort(), [
    '/api/v1/cases',
    '/api/v1/cases/{number}',
    '/api/v1/cases/{number}/assignment',
    '/api/v1/cases/{number}/attachments/{id}',
    '/api/v1/cases/{number}/messages',
    '/api/v1/cases/{number}/references',
    '/api/v1/cases/{number}/status',
    '/api/v1/reporting/deliveries',
    '/api/v1/webhooks',
    '/api/v1/webhooks/{id}',
    '/api/v1/webhooks/{id}/deliveries',
    '/api/v1/webhooks/{id}/deliveries/{delivery}/redeliver',
    '/api/v1/webhooks/{id}/pause',
    '/api/v1/webhooks/{id}/resume',
  ]);
  const checked = await new Validator().validate(doc as never);
  t.ok(checked.valid, `the document is valid OpenAPI 3.1 ${JSON.stringify(checked.errors ?? '')}`);
  const { conforms: conformsTo } = await apiContract(app);
  const conforms = (path: string, status: number, response: LightMyRequestResponse) =>
    conformsTo('GET', path, status, response);
  t.same(
    [
      ...conforms('/api/v1/cases', 200, await call('/api/v1/cases?limit=2', centre.token)),
      ...conforms('/api/v1/cases', 400, await call('/api/v1/cases?sort=colour', centre.token)),
      ...conforms('/api/v1/cases/{number}', 200, await call(`/api/v1/cases/${own}`, centre.token)),
      ...conforms('/api/v1/cases/{number}', 404, await call('/api/v1/cases/2099-999999', centre.token)),
      ...conforms('/api/v1/cases/{number}', 401, await call(`/api/v1/cases/${own}`)),
      ...conforms('/api/v1/cases/{number}', 403, await call(`/api/v1/cases/${own}`, noScope.token)),
    ],
    [],
    'every answer matches the document',
  );
  t.ok(
    (
      await db
        .selectFrom('api_tokens')
        .select('last_used_at')
        .where('client_id', '=', centre.id)
        .executeTakeFirstOrThrow()
    ).last_used_at,
    'last used',
  );
});

t.test('an admin makes a client, sees its token once, rotates and revokes it', async (t) => {
  const { app, db, login } = await build(t);
  const admin = await login('admin@kundesenter.no');
  await admin.get('/admin/api-clients');
  const invalid = await admin.post('/admin/api-clients', { name: 'X', owner: '', reach: 'agency' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, 'Velg virksomheten systemet hører til.');
  const created = await admin.post('/admin/api-clients', {
    name: 'Sak i fagsystem',
    owner: 'Seksjon for lønn',
    reach: 'centre',
    scopes: ['cases:read', 'reporting:read'],
  });
  t.equal(created.statusCode, 200);
  const token = /id="new-token">(ks_[A-Za-z0-9_-]+)</.exec(created.body)?.[1];
  t.ok(token, 'the token is shown');
  const stored = await db.selectFrom('api_tokens').select('sha256').executeTakeFirstOrThrow();
  t.notMatch(JSON.stringify(stored), token!, 'and stored only as a hash');
  const call = (value: string) =>
    app.inject({ method: 'GET', url: '/api/v1/cases', headers: { authorization: `Bearer ${value}` } });
  t.equal((await call(token!)).statusCode, 200);
  const list = await admin.get('/admin/api-clients');
  t.notMatch(list.body, token!, 'never shown again');
  t.match(list.body, 'cases:read, reporting:read');

  const client = await db.selectFrom('api_clients').select('id').executeTakeFirstOrThrow();
  const rotated = await admin.post(`/admin/api-clients/${client.id}/rotation`, {});
  const second = /id="new-token">(ks_[A-Za-z0-9_-]+)</.exec(rotated.body)?.[1];
  t.ok(second && second !== token, 'a new token');
  t.equal((await call(second!)).statusCode, 200);
  const revoked = await admin.post(`/admin/api-clients/${client.id}/revocation`, {});
  t.equal(revoked.statusCode, 303);
  t.equal((await call(second!)).statusCode, 401);
  t.equal((await call(token!)).statusCode, 401);
  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/admin/api-clients')).statusCode, 403);
  const docs = await app.inject({ method: 'GET', url: '/api/docs' });
  t.equal(docs.statusCode, 200);
  t.match(docs.body, 'GET /api/v1/cases/{number}');
});

t.test('a specialist system keeps its reference on the case, once per Idempotency-Key', async (t) => {
  const { app, db, login } = await build(t);
  const { ola, own, other } = await twoCases(login);
  const audit = async () => {};
  const demoetaten = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
  ).id;
  const sap = await createClient(
    db,
    audit,
    { name: 'SAP', owner: 'Drift', reach: 'centre', agencyId: null, scopes: ['cases:read', 'cases:write'] },
    1,
  );
  const reader = await createClient(
    db,
    audit,
    { name: 'Leser', owner: 'Drift', reach: 'centre', agencyId: null, scopes: ['cases:read'] },
    1,
  );
  const agencyClient = await createClient(
    db,
    audit,
    { name: 'HR', owner: 'IT', reach: 'agency', agencyId: demoetaten, scopes: ['cases:write'] },
    1,
  );
  const post = (number: string, token: string, body: object, key?: string) =>
    app.inject({
      method: 'POST',
      url: `/api/v1/cases/${number}/references`,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        ...(key ? { 'idempotency-key': key } : {}),
      },
      payload: JSON.stringify(body),
    });
  const reference = { system: 'SAP', id: 'LØ-4711', url: 'https://sap.example.no/sak/4711' };

  const first = await post(own, sap.token, reference, 'ref-1');
  t.equal(first.statusCode, 201);
  t.match(first.json(), { system: 'SAP', id: 'LØ-4711' });
  const again = await post(own, sap.token, reference, 'ref-1');
  t.equal(again.statusCode, 201, 'a retry gets the first answer');
  t.equal(again.headers['idempotency-replayed'], 'true');
  t.same(again.json(), first.json());
  const reused = await post(own, sap.token, { ...reference, id: 'LØ-9999' }, 'ref-1');
  t.equal(reused.statusCode, 422, 'the same key for another request is refused');
  t.equal(reused.headers['content-type'], 'application/problem+json; charset=utf-8');
  const trail = await db.selectFrom('audit_log').select('id').where('action', '=', 'case.reference').execute();
  t.equal(trail.length, 1, 'the work was done once');

  t.equal((await post(own, sap.token, { ...reference, id: 'LØ-4712' })).statusCode, 201, 'a later call updates it');
  const rows = await db.selectFrom('case_references').select(['system', 'external_id']).execute();
  t.same(rows, [{ system: 'SAP', external_id: 'LØ-4712' }], 'one reference per system');

  t.equal((await post(own, reader.token, reference)).statusCode, 403, 'without cases:write');
  t.equal((await post(other, agencyClient.token, reference)).statusCode, 404, "another agency's case");
  t.equal((await post(own, sap.token, { ...reference, url: 'javascript:alert(1)' })).statusCode, 400);
  t.equal((await post(own, sap.token, { system: ' ', id: 'x' })).statusCode, 400);

  const read = await app.inject({
    method: 'GET',
    url: `/api/v1/cases/${own}`,
    headers: { authorization: `Bearer ${sap.token}` },
  });
  t.match(read.json(), { references: [{ system: 'SAP', id: 'LØ-4712', url: reference.url }] });

  const siri = await login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${own}`);
  t.match(page.body, 'Saken i fagsystemet');
  t.match(page.body, `href="${reference.url}"`);
  t.notMatch((await ola.get(`/cases/${own}`)).body, 'Saken i fagsystemet', "the centre's own, not the customer's");
});
