// The access matrix: every route the app registers × every demo user (and nobody signed in) × an
// object of the user's own agency and one of another agency. A route without a rule here fails the
// test, so a new route cannot ship without saying who may use it. Objects of another agency answer
// 404, exactly as a missing one does, so ids leak nothing.
import t from 'tap';
import { createClient } from '../src/api/clients.js';
import type { LightMyRequestResponse } from 'fastify';
import { build, enquiry, submitCase, type Client } from './helpers.js';

type User = 'anon' | 'ola' | 'kari' | 'per' | 'siri' | 'admin';
const users: User[] = ['anon', 'ola', 'kari', 'per', 'siri', 'admin'];
const signedIn = users.filter((u) => u !== 'anon');

/** ok: served; login: sent to log in; no: 403 or 404; missing: exactly 404; any: not checked (see the rule's note). */
type Outcome = 'ok' | 'login' | 'no' | 'missing' | 'any';
type Expect = Record<User, Outcome>;

const only = (...allowed: User[]): Expect =>
  Object.fromEntries(users.map((u) => [u, allowed.includes(u) ? 'ok' : u === 'anon' ? 'login' : 'no'])) as Expect;
const everyone: Expect = only(...users);
const anyone = Object.fromEntries(users.map((u) => [u, 'any'])) as Expect;
/** Like `only`, but the users who may not see the object get exactly 404. */
const seenBy = (...allowed: User[]): Expect =>
  Object.fromEntries(users.map((u) => [u, allowed.includes(u) ? 'ok' : u === 'anon' ? 'login' : 'missing'])) as Expect;
/** Allowed users are not checked here (an empty form may legitimately be "not found"), refused ones are. */
const refusedBut = (...allowed: User[]): Expect => ({
  ...only(...allowed),
  ...Object.fromEntries(allowed.map((u) => [u, 'any'])),
});

/** Answered with 401 whoever is signed in: the route takes a bearer token, not a session. */
const tokenOnly = Object.fromEntries(users.map((u) => [u, 'login'])) as Expect;

const customers: User[] = ['ola', 'kari', 'per'];
const staff: User[] = ['siri', 'admin'];

interface Rule {
  /** Expectations with objects of Demoetaten (Ola's case in lønn, which Kari sees as professional user). */
  own: Expect;
  /** With objects of Testdirektoratet (Per's case in regnskap), for routes that take an object. */
  other?: Expect;
}

// Every registered route, by method and pattern.
const rules: Record<string, Rule> = {
  'GET /healthz': { own: everyone },
  'GET /accessibility': { own: everyone },
  'GET /contact': { own: everyone },
  'GET /kontakt': { own: anyone }, // a redirect to /contact for everyone
  'GET /tilgjengelighet': { own: anyone }, // a redirect to /accessibility for everyone
  'GET /readyz': { own: everyone },
  'POST /language': { own: anyone }, // the language switch: anyone, a bad value is a 400
  'GET /login': { own: anyone }, // to the identity provider, or back for someone signed in
  'GET /auth/callback': { own: anyone }, // without a login in progress: 400 for everyone (test/auth.test.ts)
  'GET /register': { own: anyone }, // without a fresh login: 400 for everyone (test/login-strength.test.ts)
  'POST /register': { own: anyone },
  'POST /logout': { own: anyone },
  'GET /': { own: everyone },
  // Centre staff are sent on to the workspace.
  'GET /cases': { own: only(...signedIn) },
  'POST /cases/columns': { own: only(...signedIn) },
  'GET /cases/columns': { own: only(...signedIn) },
  'GET /cases/filters': { own: only(...signedIn) },
  'GET /cases/export.xlsx': { own: only(...customers) },
  'GET /cases/new': { own: only(...customers) },
  'POST /cases': { own: refusedBut(...customers) },
  'POST /cases/title-check': { own: only(...signedIn) }, // checks a title for identity numbers, reads nothing
  'GET /cases/:number': { own: seenBy('ola', 'kari', ...staff), other: seenBy('per', ...staff) },
  'POST /cases/:number/classification': { own: only(...staff), other: only(...staff) },
  'POST /cases/:number/handling': { own: only(...staff), other: only(...staff) },
  'POST /cases/:number/compose': { own: only(...staff), other: only(...staff) },
  'POST /cases/:number/messages': { own: only('ola', 'kari', ...staff), other: only('per', ...staff) },
  'POST /cases/:number/assignment': { own: only(...staff), other: only(...staff) },
  // Allowed: grants power of attorney at once, so only the refusals are checked (test/orderers.test.ts).
  'POST /cases/:number/power-of-attorney': { own: refusedBut(...staff), other: refusedBut(...staff) },
  'POST /cases/:number/customer': { own: only(...staff), other: only(...staff) },
  'GET /cases/:number/attachments/:id': { own: seenBy('ola', 'kari', ...staff), other: seenBy('per', ...staff) },
  'GET /dev/mail': { own: only(...staff) }, // development only: production has no such page
  'GET /admin': { own: only('admin') },
  'GET /admin/service-levels': { own: only('admin') },
  'POST /admin/closed-days': { own: only('admin') },
  'POST /admin/closed-days/removal': { own: refusedBut('admin') },
  'POST /admin/service-targets': { own: only('admin') },
  'GET /admin/editors': { own: only('admin') },
  'POST /admin/editors': { own: only('admin') },
  'POST /admin/editors/removal': { own: refusedBut('admin') },
  'GET /admin/audit': { own: only('admin') },
  'GET /me/reads': { own: only('kari') },
  'GET /admin/users': { own: only('admin') },
  'GET /admin/users/:id': { own: only('admin') },
  'POST /admin/users/:id/roles': { own: only('admin') },
  'POST /admin/users/:id/roles/removal': { own: refusedBut('admin') },
  'POST /admin/users/:id/sessions/end': { own: only('admin') },
  'POST /admin/users/:id/active': { own: only('admin') },
  'GET /admin/agencies': { own: only('admin') },
  'POST /admin/agencies': { own: only('admin') },
  'GET /admin/agencies/:id': { own: only('admin') },
  'POST /admin/agencies/:id': { own: only('admin') },
  'POST /admin/agencies/:id/domains': { own: only('admin') },
  'POST /admin/agencies/:id/domains/removal': { own: refusedBut('admin') },
  'POST /admin/agencies/:id/contacts': { own: only('admin') },
  'POST /admin/agencies/:id/contacts/removal': { own: refusedBut('admin') },
  'POST /admin/agencies/:id/members': { own: only('admin') },
  'GET /admin/areas': { own: only('admin') },
  'POST /admin/areas': { own: only('admin') },
  'GET /admin/areas/:id': { own: only('admin') },
  'POST /admin/areas/:id': { own: only('admin') },
  'POST /admin/areas/:id/closing': { own: only('admin') },
  'POST /admin/areas/:id/contact': { own: only('admin') },
  'POST /admin/areas/:id/categories': { own: only('admin') },
  'POST /admin/areas/:id/groups': { own: only('admin') },
  'POST /admin/areas/:id/forms': { own: only('admin') },
  'POST /admin/areas/:id/active': { own: refusedBut('admin') },
  'POST /admin/areas/:id/group-members': { own: refusedBut('admin') },
  'POST /admin/areas/:id/group-members/removal': { own: refusedBut('admin') },
  'POST /admin/areas/:id/routing': { own: only('admin') },
  'POST /admin/areas/:id/routing/removal': { own: refusedBut('admin') },
  'GET /admin/forms/:id': { own: only('admin') },
  'POST /admin/forms/:id': { own: only('admin') },
  'GET /admin/templates': { own: only('admin') },
  'GET /admin/mail': { own: only('admin') },
  'POST /admin/mail/addresses': { own: refusedBut('admin') },
  'POST /admin/mail/addresses/removal': { own: refusedBut('admin') },
  'POST /admin/mail/senders': { own: refusedBut('admin') },
  'POST /admin/templates': { own: only('admin') },
  'POST /admin/templates/active': { own: refusedBut('admin') },
  'GET /admin/templates/:id': { own: refusedBut('admin') }, // a template id that is not there is 404
  'POST /admin/templates/:id': { own: refusedBut('admin') },
  'GET /me': { own: only(...signedIn) },
  'POST /me/membership-requests': { own: refusedBut(...customers) },
  'POST /cases/:number/membership': { own: refusedBut(...staff), other: refusedBut(...staff) }, // a case with no request is 404
  'GET /consent': { own: seenBy() }, // consultants only, and no demo user is one (test/consultants.test.ts)
  'POST /consent': { own: seenBy() },
  'GET /admin/consultants': { own: only('admin') },
  'POST /admin/consultants/declaration': { own: refusedBut('admin') },
  'POST /admin/users/:id/consultant': { own: refusedBut('admin') },
  'GET /me/power-of-attorney.xlsx': { own: seenBy(...customers) }, // staff act for no agency: nothing to fill in
  'POST /me/agency': { own: refusedBut(...signedIn) }, // an agency not one's own is a 403 with a message
  'GET /me/mailboxes': { own: only(...customers) },
  'POST /me/mailboxes': { own: only('kari') },
  'POST /me/mailboxes/members': { own: refusedBut('kari') },
  'POST /me/mailboxes/members/removal': { own: refusedBut('kari') },
  'GET /me/orderers': { own: only(...customers) },
  'POST /me/orderers': { own: only('kari') },
  'POST /me/orderers/removal': { own: refusedBut('kari') },
  'GET /kb': { own: everyone },
  'GET /kb/feedback': { own: only('admin') },
  'POST /kb/feedback/:id/handled': { own: only('admin') }, // editors and admins; no demo user is only an editor
  'GET /kb/new': { own: only('admin') },
  'POST /kb': { own: only('admin') },
  // A public article for everyone; an internal one only for the centre.
  'GET /kb/:id': { own: everyone, other: { ...seenBy(...staff), anon: 'missing' } },
  // Opens an article from the new-case suggestions and counts it; an internal article is not found for customers.
  'POST /kb/:id/deflections': { own: only(...signedIn), other: seenBy(...staff) },
  'GET /kb/:id/edit': { own: only('admin'), other: only('admin') },
  'POST /kb/:id': { own: only('admin'), other: only('admin') },
  'GET /kb/:id/revisions': { own: only('admin'), other: only('admin') },
  'POST /feedback': { own: everyone },
  'GET /news': { own: everyone },
  'GET /news/new': { own: only('admin') },
  'POST /news': { own: only('admin') },
  'GET /work': { own: only(...staff) },
  'GET /work/mail': { own: only(...staff) },
  // A held mail is decided by centre staff; an id that is not held is not found.
  'POST /work/mail/:id/release': { own: refusedBut(...staff) },
  'POST /work/mail/:id/discard': { own: refusedBut(...staff) },
  'GET /work/shortcuts': { own: only(...staff) },
  'GET /work/next': { own: only(...staff) },
  'GET /work/notices': { own: only(...staff) },
  'GET /work/notices/count': { own: only(...staff) },
  'GET /work/notices/:id': { own: refusedBut(...staff) }, // someone else's notice is 404 (test/notices.test.ts)
  'POST /work/notices/read': { own: only(...staff) },
  'POST /work/notices/email': { own: only(...staff) },
  'GET /work/cases/new': { own: only(...staff) },
  'POST /work/cases': { own: only(...staff) },
  'POST /work/bulk': { own: only(...staff) },
  // The centre's dashboard for staff; the agency's own report for its professional users, orderers and attorneys.
  'GET /reports': { own: only('kari', 'per', ...staff) },
  'GET /reports/export.xlsx': { own: only('kari', 'per', ...staff) },
  'GET /reports/subscriptions': { own: only('kari', 'per', ...staff) },
  'POST /reports/subscriptions': { own: refusedBut('kari', 'per', ...staff) }, // an empty form is a 422 (test/reports.test.ts)
  // Siri's subscription: nobody else but an admin may end it; the allowed removal is in test/reports.test.ts.
  'POST /reports/subscriptions/:id/removal': { own: refusedBut('siri', 'admin') },
  // Periodic reporting: Kari is Demoetaten's innrapportør for lønn (own: variabel-lonn); nobody in
  // Demoetaten reports regnskap (other: periodeavstemming, and Testdirektoratet's receipts and refusals).
  // The API takes a bearer token, never a session: with cookies alone everyone gets 401 (clients by kind
  // are in test/api.test.ts). Its document and reference page are public.
  'GET /api/v1/openapi.json': { own: everyone },
  'GET /api/v1/cases': { own: tokenOnly },
  'GET /api/v1/cases/:number': { own: tokenOnly, other: tokenOnly },
  'POST /api/v1/cases/:number/references': { own: tokenOnly, other: tokenOnly },
  // Each API route × each kind of client is in test/api-access.test.ts.
  'POST /api/v1/cases': { own: tokenOnly },
  'POST /api/v1/cases/:number/messages': { own: tokenOnly, other: tokenOnly },
  'POST /api/v1/cases/:number/status': { own: tokenOnly, other: tokenOnly },
  'POST /api/v1/cases/:number/assignment': { own: tokenOnly, other: tokenOnly },
  'GET /api/v1/cases/:number/attachments/:id': { own: tokenOnly, other: tokenOnly },
  'GET /api/v1/reporting/deliveries': { own: tokenOnly },
  'GET /api/v1/webhooks': { own: tokenOnly },
  'POST /api/v1/webhooks': { own: tokenOnly },
  'GET /api/v1/webhooks/:id': { own: tokenOnly },
  'DELETE /api/v1/webhooks/:id': { own: tokenOnly },
  'POST /api/v1/webhooks/:id/pause': { own: tokenOnly },
  'POST /api/v1/webhooks/:id/resume': { own: tokenOnly },
  'GET /api/v1/webhooks/:id/deliveries': { own: tokenOnly },
  'POST /api/v1/webhooks/:id/deliveries/:delivery/redeliver': { own: tokenOnly },
  'GET /api/docs': { own: everyone },
  'GET /admin/api-clients': { own: only('admin') },
  'POST /admin/api-clients': { own: only('admin') }, // an empty form is a 422
  'POST /admin/api-clients/:id/rotation': { own: refusedBut('admin') }, // shows a new token (test/api.test.ts)
  'POST /admin/api-clients/:id/revocation': { own: refusedBut('admin') },
  'GET /admin/api-clients/:id/webhooks': { own: only('admin') },
  'POST /admin/api-clients/:id/webhooks/:sub/pause': { own: refusedBut('admin') },
  'POST /admin/api-clients/:id/webhooks/:sub/resume': { own: refusedBut('admin') },
  'POST /admin/api-clients/:id/webhooks/:sub/deliveries/:delivery/redeliver': { own: refusedBut('admin') },
  'GET /admin/reporting': { own: only('admin') },
  'POST /admin/reporting': { own: only('admin') }, // an empty form is a 422
  'GET /admin/reporting/:id': { own: only('admin') },
  'POST /admin/reporting/:id': { own: only('admin') }, // an empty form is a 422
  'POST /admin/reporting/:id/layout': { own: only('admin') }, // an empty form is a 422
  'GET /admin/reporting/calendar': { own: only('admin') },
  // Allowed: an empty form clears the year's dates, so only the refusals are checked (test/admin-reporting.test.ts).
  'POST /admin/reporting/calendar': { own: refusedBut('admin') },
  'GET /reporting': { own: only('kari', ...staff) }, // staff are sent on to the centre's overview
  'GET /reporting/overview.xlsx': { own: only('kari') },
  'GET /reporting/reporters': { own: only('kari') },
  'POST /reporting/reporters': { own: only() }, // power-of-attorney holders (test/reporting-pages.test.ts)
  'POST /reporting/reporters/removal': { own: only() },
  'GET /reporting/contact': { own: only('kari') },
  'POST /reporting/contact': { own: refusedBut('kari') }, // an empty form is a 422 (test/reporting-pages.test.ts)
  'GET /reporting/types/:code': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/types/:code/template.:format': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/types/:code/:period': { own: only('kari'), other: only() },
  'POST /reporting/types/:code/:period': { own: refusedBut('kari'), other: only() },
  'GET /reporting/types/:code/:period/form': { own: only('kari'), other: only() },
  'POST /reporting/types/:code/:period/form': { own: refusedBut('kari'), other: only() },
  'GET /reporting/receipts/:receipt': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/receipts/:receipt/file': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/refused/:id': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/refused/:id/errors.xlsx': { own: only('kari', ...staff), other: only(...staff) },
  'GET /reporting/centre': { own: only(...staff) },
  'GET /reporting/centre/:code/:period': { own: only(...staff), other: only(...staff) },
  // Allowed: opens a case, so only the refusals are checked here (test/reporting-pages.test.ts).
  'POST /reporting/centre/:code/:period/follow-up': { own: refusedBut(...staff), other: refusedBut(...staff) },
};

function outcomeOf(response: LightMyRequestResponse): Exclude<Outcome, 'any' | 'no'> | 'forbidden' | 'other' {
  const location = String(response.headers.location ?? '');
  if (response.statusCode === 401 || (response.statusCode === 303 && location.startsWith('/login'))) return 'login';
  if (response.statusCode === 404) return 'missing';
  if (response.statusCode === 403) return 'forbidden';
  if (response.statusCode < 500) return 'ok';
  return 'other';
}

function matches(expected: Outcome, response: LightMyRequestResponse): boolean {
  const got = outcomeOf(response);
  switch (expected) {
    case 'any':
      return got !== 'other';
    case 'ok':
      return got === 'ok';
    case 'login':
      // Nobody signed in: sent to log in, or stopped at the CSRF check before that.
      return got === 'login' || got === 'forbidden';
    case 'no':
      return got === 'missing' || got === 'forbidden';
    case 'missing':
      return got === 'missing';
  }
}

t.test('every route × every demo user × own and other agency', async (t) => {
  const { app, db, login, client } = await build(t);
  const routes = app.routeTable.filter((r) => !r.url.startsWith('/static/')).map((r) => `${r.method} ${r.url}`);
  t.same(
    routes.filter((r) => !(r in rules)),
    [],
    'every route has a rule in the matrix',
  );
  t.same(
    Object.keys(rules).filter((r) => !routes.includes(r)),
    [],
    'and every rule a route',
  );

  // Objects: a case with a file in each agency, an internal article, a user and an agency to act on.
  const pdf = { name: 'bilag.pdf', type: 'application/pdf', data: Buffer.from('%PDF-1.4\n%%EOF\n') };
  const ola = await login('ola@demoetaten.no');
  const own = String((await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst'), [pdf])).headers.location)
    .split('/')
    .pop()!;
  const perLogin = await login('per@testdirektoratet.no');
  const other = String((await submitCase(perLogin, enquiry('regnskap', 'Pers sak', 'Tekst'), [pdf])).headers.location)
    .split('/')
    .pop()!;
  const attachment = async (number: string) =>
    String(
      (
        await db
          .selectFrom('attachments')
          .innerJoin('cases', 'cases.id', 'attachments.case_id')
          .select('attachments.id')
          .where('cases.number', '=', number)
          .executeTakeFirstOrThrow()
      ).id,
    );
  const articles = await db.selectFrom('articles').select(['id', 'audience']).execute();
  const feedback = await db
    .insertInto('page_feedback')
    .values({ page: '/', helpful: false, comment: 'Fant ikke svaret' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const target = await db
    .insertInto('users')
    .values({ email: 'maal@example.no', name: 'Mål Bruker' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const agency = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
  ).id;
  const form = (await db.selectFrom('forms').select('id').executeTakeFirstOrThrow()).id;
  const area = (await db.selectFrom('areas').select('id').executeTakeFirstOrThrow()).id;
  const siriId = (
    await db.selectFrom('users').select('id').where('email', '=', 'siri@kundesenter.no').executeTakeFirstOrThrow()
  ).id;
  const subscription = await db
    .insertInto('report_subscriptions')
    .values({ user_id: siriId, report: 'centre', next_run_at: new Date(Date.now() + 86_400_000) })
    .returning('id')
    .executeTakeFirstOrThrow();
  const reporting = await reportingObjects(db);
  const apiClient = await createClient(
    db,
    async () => {},
    { name: 'Matrise', owner: 'Test', reach: 'centre', agencyId: null, scopes: ['webhooks:manage'] },
    1,
  );
  const params = {
    own: {
      number: own,
      id: '' as string,
      article: String(articles.find((a) => a.audience === 'public')!.id),
      attachment: await attachment(own),
    },
    other: {
      number: other,
      id: '',
      article: String(articles.find((a) => a.audience === 'internal')!.id),
      attachment: await attachment(other),
    },
  };
  const path = (url: string, side: 'own' | 'other') => {
    const p = params[side];
    const ids: [string, number | string][] = [
      ['/admin/users', target.id],
      ['/admin/agencies', agency],
      ['/admin/forms', form],
      ['/admin/areas', area],
      ['/kb/feedback', feedback.id],
      ['/kb', p.article],
      ['/reports/subscriptions', subscription.id],
      ['/reporting/refused', reporting[side].refused],
      ['/admin/reporting', reporting[side].typeId],
      ['/admin/api-clients', apiClient.id],
    ];
    const id = String(ids.find(([prefix]) => url.startsWith(prefix))?.[1] ?? p.attachment);
    return url
      .replace(':number', p.number)
      .replace(':id', id)
      .replace(':code', reporting[side].code)
      .replace(':period', reporting[side].period)
      .replace(':receipt', reporting[side].receipt)
      .replace(':format', 'xlsx')
      .replace(':sub', '1')
      .replace(':delivery', '1');
  };

  const clients: Record<User, Client> = {
    anon: client(),
    ola,
    kari: await login('kari@demoetaten.no'),
    per: perLogin,
    siri: await login('siri@kundesenter.no'),
    admin: await login('admin@kundesenter.no'),
  };
  // A page first, for each one's CSRF token: refusals must come from the rules, not from a missing token.
  for (const who of users) await clients[who].get('/');

  let checked = 0;
  const failures: string[] = [];
  // GETs before POSTs, so nothing a POST changes decides what a GET shows.
  const ordered = [...routes].sort((a, b) => Number(a.startsWith('POST')) - Number(b.startsWith('POST')));
  for (const route of ordered) {
    const rule = rules[route];
    if (!rule) continue;
    const [method, url] = route.split(' ') as [string, string];
    for (const side of ['own', 'other'] as const) {
      const expect = rule[side];
      if (!expect) continue;
      for (const who of users) {
        // "any" is not asked at all: some of those requests would change what later checks see.
        if (expect[who] === 'any') continue;
        const target = path(url, side);
        const response = method === 'GET' ? await clients[who].get(target) : await clients[who].post(target, {});
        checked++;
        if (!matches(expect[who], response))
          failures.push(
            `${route} (${side}) as ${who}: expected ${expect[who]}, got ${response.statusCode}${response.headers.location ? ` → ${response.headers.location}` : ''}`,
          );
      }
    }
  }
  t.same(failures, [], `${checked} checks`);
  t.ok(checked > 400, 'the matrix is not empty');
});

/**
 * Reporting objects on both sides: Demoetaten's seeded variable pay delivery and a refused try; for
 * Testdirektoratet, a period reconciliation delivered and refused (written here, as its file would be).
 */
async function reportingObjects(db: import('../src/db/index.js').Db) {
  const agencyId = async (name: string) =>
    (await db.selectFrom('agencies').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  const typeOf = async (code: string) =>
    (await db.selectFrom('report_types').select('id').where('code', '=', code).executeTakeFirstOrThrow()).id;
  const layoutOf = async (typeId: number) =>
    (await db.selectFrom('report_layouts').select('id').where('report_type_id', '=', typeId).executeTakeFirstOrThrow())
      .id;
  const file = async () =>
    (
      await db
        .insertInto('report_files')
        .values({ filename: 'f.csv', content_type: 'text/csv', size_bytes: 1, sha256: '0'.repeat(64) })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const refuse = async (agency: number, type: number, period: string) =>
    (
      await db
        .insertInto('report_rejections')
        .values({
          report_type_id: type,
          agency_id: agency,
          period,
          layout_id: await layoutOf(type),
          file_id: await file(),
          channel: 'file',
          error_count: 1,
          errors: JSON.stringify([{ line: 0, key: 'empty' }]),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const demoetaten = await agencyId('Demoetaten');
  const testdirektoratet = await agencyId('Testdirektoratet');
  const pay = await typeOf('variabel-lonn');
  const reconciliation = await typeOf('periodeavstemming');
  const own = await db
    .selectFrom('report_deliveries')
    .select(['receipt', 'period'])
    .where('agency_id', '=', demoetaten)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const other = { receipt: 'IR-2026-999999', period: own.period };
  await db
    .insertInto('report_deliveries')
    .values({
      receipt: other.receipt,
      report_type_id: reconciliation,
      agency_id: testdirektoratet,
      period: other.period,
      version: 1,
      layout_id: await layoutOf(reconciliation),
      file_id: await file(),
      channel: 'file',
      row_count: 1,
    })
    .execute();
  return {
    own: { code: 'variabel-lonn', ...own, refused: await refuse(demoetaten, pay, own.period), typeId: pay },
    other: {
      code: 'periodeavstemming',
      ...other,
      refused: await refuse(testdirektoratet, reconciliation, other.period),
      typeId: reconciliation,
    },
  };
}
