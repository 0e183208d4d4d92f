// The API's access matrix: every API route × every kind of client — none, a wrong token, an expired one,
// a revoked client, a client without the scope, the centre's client, Demoetaten's own system and
// Testdirektoratet's — against Demoetaten's objects (Ola's case and file, the centre's subscription).
// A new API route without a sample request here fails the test.
import type { LightMyRequestResponse } from 'fastify';
import t from 'tap';
import { apiScopes, createClient, revokeClient } from '../src/api/clients.js';
import { build, enquiry, submitCase } from './helpers.js';

type Outcome = 'ok' | 'login' | 'forbidden' | 'missing';
type Kind = 'none' | 'wrong' | 'expired' | 'revoked' | 'noScope' | 'own' | 'other' | 'centre';

function outcomeOf(response: LightMyRequestResponse): Outcome | 'error' {
  if (response.statusCode === 401) return 'login';
  if (response.statusCode === 403) return 'forbidden';
  if (response.statusCode === 404) return 'missing';
  return response.statusCode < 500 ? 'ok' : 'error';
}

/** What each kind of client meets; the centre's client reaches everything. */
const refusedAll: Partial<Record<Kind, Outcome>> = {
  none: 'login',
  wrong: 'login',
  expired: 'login',
  revoked: 'login',
  noScope: 'forbidden',
  centre: 'ok',
};
/** Routes on Demoetaten's case: its own system may, Testdirektoratet's does not see it. */
const onCase = { ...refusedAll, own: 'ok', other: 'missing' } as const;
/** The centre's verbs: an agency's system is refused even on its own agency's case. */
const centreVerb = { ...refusedAll, own: 'forbidden', other: 'missing' } as const;
/** Not about one object: every client with the scope may. */
const open = { ...refusedAll, own: 'ok', other: 'ok' } as const;
/** The centre client's subscription: nobody else's. */
const ownSubscription = { ...refusedAll, own: 'missing', other: 'missing' } as const;

interface Sample {
  expect: Partial<Record<Kind, Outcome>>;
  body?: object;
}

const samples: Record<string, Sample> = {
  'GET /api/v1/cases': { expect: open },
  'POST /api/v1/cases': {
    expect: open, // another agency's system gets 422: Ola is not its customer
    body: { requester: { email: 'ola@demoetaten.no' }, area: 'lonn', title: 'Fra fagsystem', body: 'Tekst' },
  },
  'GET /api/v1/cases/:number': { expect: onCase },
  'POST /api/v1/cases/:number/messages': { expect: onCase, body: { body: 'Melding' } },
  'POST /api/v1/cases/:number/status': { expect: centreVerb, body: { status: 'in_progress' } },
  'POST /api/v1/cases/:number/assignment': { expect: centreVerb, body: { group_id: null } },
  'GET /api/v1/cases/:number/attachments/:id': { expect: onCase },
  'POST /api/v1/cases/:number/references': { expect: onCase, body: { system: 'SAP', id: 'LØ-1' } },
  'GET /api/v1/reporting/deliveries': { expect: open },
  'GET /api/v1/webhooks': { expect: open },
  'POST /api/v1/webhooks': { expect: open, body: { url: 'http://127.0.0.1:9/hook', events: ['case.created'] } },
  'GET /api/v1/webhooks/:id': { expect: ownSubscription },
  'POST /api/v1/webhooks/:id/pause': { expect: ownSubscription },
  'POST /api/v1/webhooks/:id/resume': { expect: ownSubscription },
  'GET /api/v1/webhooks/:id/deliveries': { expect: ownSubscription },
  'POST /api/v1/webhooks/:id/deliveries/:delivery/redeliver': { expect: ownSubscription },
  'DELETE /api/v1/webhooks/:id': { expect: ownSubscription },
};

t.test('every API route × every kind of client', async (t) => {
  const { app, db, login } = await build(t);
  const routes = app.routeTable
    .filter((r) => r.url.startsWith('/api/v1/') && r.url !== '/api/v1/openapi.json')
    .map((r) => `${r.method} ${r.url}`);
  t.same(
    routes.filter((r) => !(r in samples)),
    [],
    'every API route has a sample here',
  );

  const agency = async (name: string) =>
    (await db.selectFrom('agencies').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const audit = async () => {};
  const all = [...apiScopes];
  const make = async (name: string, reach: 'centre' | 'agency', agencyId: number | null, scopes = all) =>
    (await createClient(db, audit, { name, owner: 'Test', reach, agencyId, scopes }, 1)).token;
  const centre = await createClient(
    db,
    audit,
    { name: 'Senter', owner: 'Drift', reach: 'centre', agencyId: null, scopes: all },
    1,
  );
  const expired = await createClient(
    db,
    audit,
    { name: 'Utløpt', owner: 'Drift', reach: 'centre', agencyId: null, scopes: all },
    1,
  );
  await db
    .updateTable('api_tokens')
    .set({ expires_at: new Date(Date.now() - 1000) })
    .where('client_id', '=', expired.id)
    .execute();
  const revoked = await createClient(
    db,
    audit,
    { name: 'Tilbakekalt', owner: 'Drift', reach: 'centre', agencyId: null, scopes: all },
    1,
  );
  await revokeClient(db, audit, revoked.id);
  const tokens: Record<Kind, string | undefined> = {
    none: undefined,
    wrong: `ks_${'a'.repeat(12)}_${'b'.repeat(43)}`,
    expired: expired.token,
    revoked: revoked.token,
    noScope: await make('Uten rettigheter', 'centre', null, []),
    own: await make('Demoetatens system', 'agency', await agency('Demoetaten')),
    other: await make('Testdirektoratets system', 'agency', await agency('Testdirektoratet')),
    centre: centre.token,
  };

  // Demoetaten's objects: Ola's case with a file, and a subscription of the centre's client with a delivery.
  const ola = await login('ola@demoetaten.no');
  const pdf = { name: 'bilag.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') };
  const number = String((await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst'), [pdf])).headers.location)
    .split('/')
    .pop()!;
  const file = await db
    .selectFrom('attachments')
    .innerJoin('cases', 'cases.id', 'attachments.case_id')
    .select('attachments.id')
    .where('cases.number', '=', number)
    .executeTakeFirstOrThrow();
  const subscription = await app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: { authorization: `Bearer ${centre.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ url: 'http://127.0.0.1:9/senter', events: ['message.created'] }),
  });
  const subscriptionId = String(subscription.json().id);
  await submitCase(ola, enquiry('lonn', 'Enda en', 'Tekst'));
  await app.inject({
    method: 'POST',
    url: `/api/v1/cases/${number}/messages`,
    headers: { authorization: `Bearer ${centre.token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({ kind: 'internal_note', body: 'Gir en levering' }),
  });
  const delivery = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('subscription_id', '=', Number(subscriptionId))
    .executeTakeFirstOrThrow();

  const path = (route: string) =>
    route
      .replace(':number', number)
      .replace(':delivery', String(delivery.id))
      .replace(':id', route.includes('/webhooks/') ? subscriptionId : String(file.id));
  const problems: string[] = [];
  // The centre last, and its DELETE very last: it ends the subscription the others are tried on.
  const order: Kind[] = ['none', 'wrong', 'expired', 'revoked', 'noScope', 'own', 'other', 'centre'];
  const routeOrder = Object.keys(samples).sort(
    (a, b) => Number(a.startsWith('DELETE')) - Number(b.startsWith('DELETE')),
  );
  for (const kind of order)
    for (const route of routeOrder) {
      const { expect, body } = samples[route]!;
      const [method, url] = route.split(' ') as ['GET' | 'POST' | 'DELETE', string];
      const token = tokens[kind];
      const response = await app.inject({
        method,
        url: path(url),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { payload: JSON.stringify(body) } : {}),
      });
      const got = outcomeOf(response);
      if (got !== expect[kind]) problems.push(`${route} as ${kind}: ${response.statusCode}, expected ${expect[kind]}`);
    }
  t.same(problems, [], 'each client kind meets what it should');
});
