import t from 'tap';
import { build } from './helpers.js';

t.test('/healthz answers while the process lives, /readyz while the database answers', async (t) => {
  const { client, app, db } = await build(t);
  t.equal((await client().get('/healthz')).statusCode, 200);
  t.equal((await client().get('/readyz')).statusCode, 200);
  await db.destroy();
  const down = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(down.statusCode, 503);

  const failing = await app.inject({ method: 'GET', url: '/' });
  t.equal(failing.statusCode, 500, 'a page whose query fails');
  t.match(failing.body, 'Noe gikk galt');
  t.match(failing.body, 'Ingenting du har lagret, er tapt');
  t.notMatch(failing.body, /Error:|at [A-Za-z]+ \(|pool|kysely/i, 'no internals are shown');
});

t.test('security headers: a strict CSP without inline scripts, no framing, no sniffing', async (t) => {
  const { client } = await build(t);
  const response = await client().get('/');
  const csp = String(response.headers['content-security-policy']);
  t.match(csp, "script-src 'self'");
  t.notMatch(csp, 'unsafe-inline');
  t.match(csp, "frame-ancestors 'none'");
  t.equal(response.headers['x-content-type-options'], 'nosniff');
  t.equal(response.headers['cache-control'], 'no-store');
  t.notMatch(response.body, /<script>|<script [^>]*>[^<]/, 'no inline script');
  // The same headers on every answer, whatever served it: a file, a page not found, a refused form.
  const security = ['content-security-policy', 'x-content-type-options', 'x-frame-options', 'referrer-policy'];
  for (const path of ['/static/app.css', '/no-such-page']) {
    const other = await client().get(path);
    for (const name of security) t.equal(other.headers[name], response.headers[name], `${name} on ${path}`);
  }
  const refused = await client().post('/language', { language: 'en' });
  t.equal(refused.statusCode, 403, 'a form without its CSRF token');
  for (const name of security) t.equal(refused.headers[name], response.headers[name], `${name} on a refused form`);
  t.equal(response.headers['x-powered-by'], undefined);
});

t.test('unknown pages get a translated 404 page, and an htmx request gets just the fragment', async (t) => {
  const { client } = await build(t);
  const page = await client().get('/no-such-page');
  t.equal(page.statusCode, 404);
  t.match(page.body, '<html lang="nb">');
  t.match(page.body, 'Fant ikke siden');
  const fragment = await client().get('/no-such-page', {
    'hx-request': 'true',
    'hx-request-type': 'partial',
    'accept-language': 'en',
  });
  t.equal(fragment.statusCode, 404);
  t.notMatch(fragment.body, '<html');
  t.match(fragment.body, 'id="error"');
  t.match(fragment.body, 'Page not found');
  t.match(String(fragment.headers.vary), 'HX-Request');
});

t.test('htmx gets the list fragment; a direct visit to the same URL gets the full page', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const full = await kari.get('/cases');
  t.match(full.body, '<html');
  const partial = await kari.get('/cases', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.notMatch(partial.body, '<html');
  t.match(partial.body, 'id="case-list"');
});

t.test('htmx designs and scripts are served from our own origin', async (t) => {
  const { client } = await build(t);
  for (const asset of [
    '/static/htmx/htmx.min.js',
    '/static/ds/index.css',
    '/static/ds-theme/designsystemet.css',
    '/static/app.css',
  ]) {
    t.equal((await client().get(asset)).statusCode, 200, asset);
  }
  t.equal((await client().get('/static/htmx/../package.json')).statusCode, 404);
});
