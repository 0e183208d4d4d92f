// Hostile input against every GET route the app registers, and every return target it honours: no input
// may produce a 500, and no return target may leave our origin.
import t from 'tap';
import { safeReturnPath } from '../src/web/render.js';
import { build, enquiry, submitCase, type Client } from './helpers.js';

/** Return targets that have taken users of other apps elsewhere, and a few that must keep working. */
const returnTargets: [string, string][] = [
  ['/\t/evil.example/x', '/'],
  ['/\n/evil.example', '/'],
  ['//evil.example', '/'],
  ['/\\evil.example', '/'],
  ['\\/evil.example', '/'],
  ['/%09/evil.example', '/%09/evil.example'],
  ['https://evil.example/', '/'],
  ['http:/evil.example', '/'],
  ['javascript:alert(1)', '/'],
  ['/ /evil.example', '/'],
  ['/\u0000/evil.example', '/'],
  ['/\u00a0/evil.example', '/'],
  ['', '/'],
  ['cases', '/'],
  [`/${'a'.repeat(2001)}`, '/'],
  ['/cases?scope=agency&q=l%C3%B8nn#list', '/cases?scope=agency&q=l%C3%B8nn#list'],
  ['/cases/../admin', '/admin'],
  ['/kb?q=x', '/kb?q=x'],
];

t.test('every return target stays on our origin, whatever a browser would make of it', async (t) => {
  for (const [target, expected] of returnTargets)
    t.equal(safeReturnPath(target, '/'), expected, JSON.stringify(target));
});

t.test('the routes that redirect to a return target refuse one that leaves the site', async (t) => {
  const { client, login } = await build(t);
  const anon = client();
  const started = await anon.get('/login?returnTo=/%09/evil.example/x');
  t.equal(started.statusCode, 302, 'the login starts');
  const kari = await login('kari@demoetaten.no');
  for (const target of ['/%09/evil.example/x', '//evil.example', '/%5Cevil.example']) {
    const response = await kari.get(`/login?returnTo=${target}`);
    const location = String(response.headers.location);
    t.ok(location.startsWith('/') && !location.startsWith('//') && !/evil/.test(location.split('?')[0]!.slice(0, 3)));
    t.notMatch(location, /^\/[\t\n\\]/, `${target} → ${location}`);
  }
  await kari.get('/');
  const language = await kari.post('/language', { language: 'en', returnTo: '/\t/evil.example/x' });
  t.equal(language.headers.location, '/', 'the language switch goes home instead');
});

/** Names of query parameters the app reads somewhere; each route gets all of them. */
const parameterNames = [
  'q',
  'area',
  'form',
  'form_id',
  'category',
  'status',
  'channel',
  'scope',
  'queue',
  'sort',
  'dir',
  'after',
  'before',
  'number',
  'title',
  'requester',
  'created_from',
  'created_to',
  'updated_from',
  'updated_to',
  'group',
  'agency',
  'from',
  'to',
  'by',
  'template',
  'article',
  'customer',
  'customer_q',
  'returnTo',
  'report',
];

/** Values that have produced 500s in apps like ours: NUL, bytes that are not UTF-8, sheer size, repetition. */
const hostileValues = ['a%00b', '%FF%FE%FD', '%C3%28', 'x'.repeat(3000), "'%3B--", '%E2%80%AE', '1e309'];

t.test('no query parameter of any GET route can produce a 500, signed in or not', { timeout: 600_000 }, async (t) => {
  const { app, client, login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const caseNumber = String((await submitCase(ola, enquiry('lonn', 'Fuzz', 'Tekst'))).headers.location)
    .split('/')
    .pop()!;
  const article = (await db.selectFrom('articles').select('id').executeTakeFirstOrThrow()).id;
  const users: [string, Client][] = [
    ['anonymous', client()],
    ['customer', ola],
    ['admin', await login('admin@kundesenter.no')],
  ];
  const routes = app.routeTable
    .filter((route) => route.method === 'GET' && !route.url.startsWith('/static/') && route.url !== '/auth/callback')
    .map((route) => route.url.replace(':number', caseNumber).replace(':id', String(article)));
  const failures: string[] = [];
  let requests = 0;
  for (const [who, user] of users) {
    for (const route of [...new Set(routes)]) {
      for (const value of hostileValues) {
        const queries = [
          parameterNames.map((name) => `${name}=${value}`).join('&'),
          parameterNames.map((name) => `${name}=${value}&${name}=${value}`).join('&'),
        ];
        for (const query of queries) {
          const response = await user.get(`${route}?${query}`);
          requests += 1;
          if (response.statusCode >= 500)
            failures.push(`${who} GET ${route}?…${value.slice(0, 20)}: ${response.statusCode}`);
        }
      }
    }
  }
  // Parameters one at a time as admin, who reaches every route: one bad value must not hide another.
  const [, admin] = users[2]!;
  for (const route of [...new Set(routes)]) {
    for (const name of parameterNames) {
      for (const value of ['a%00b', '%FF%FE', 'x'.repeat(5000)]) {
        const response = await admin.get(`${route}?${name}=${value}`);
        requests += 1;
        if (response.statusCode >= 500)
          failures.push(`admin GET ${route}?${name}=${value.slice(0, 20)}: ${response.statusCode}`);
      }
    }
  }
  t.same(failures, [], `${requests} hostile requests, none answered 5xx`);
});

t.test(
  'a client cannot choose the address the audit trail records (X-Forwarded-For without TRUST_PROXY)',
  async (t) => {
    const { login, db } = await build(t);
    const ola = await login('ola@demoetaten.no');
    const path = String((await submitCase(ola, enquiry('lonn', 'Adresse', 'Tekst'))).headers.location);
    const siri = await login('siri@kundesenter.no');
    t.equal((await siri.get(path, { 'x-forwarded-for': '6.6.6.6, 10.0.0.5' })).statusCode, 200);
    const read = await db
      .selectFrom('audit_log')
      .select('ip')
      .where('action', '=', 'case.read')
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    t.equal(read.ip, '127.0.0.1', 'the connecting address, not the one the client wrote');
  },
);

t.test(
  'anonymous feedback is limited per address: the eleventh in a minute is a 429 page and is not stored',
  async (t) => {
    const { client, db } = await build(t);
    const visitor = client();
    await visitor.get('/kb');
    const answers: number[] = [];
    for (let i = 0; i < 11; i++)
      answers.push((await visitor.post('/feedback', { helpful: 'yes', page: '/kb' })).statusCode);
    t.same(answers.slice(0, 10), Array(10).fill(303), 'ten are thanked');
    const refused = await visitor.post('/feedback', { helpful: 'no', page: '/kb', comment: 'skew' });
    t.equal(refused.statusCode, 429);
    t.ok(Number(refused.headers['retry-after']) > 0, 'with Retry-After');
    t.match(refused.body, 'Du har sendt mange forespørsler på kort tid', 'our translated page');
    const stored = await db.selectFrom('page_feedback').select('id').execute();
    t.equal(stored.length, 10, 'the refused ones changed nothing');
  },
);
