import t from 'tap';
import { provisionUser } from '../src/auth/provision.js';
import { build, text, freshDatabase } from './helpers.js';

t.test('a demo customer logs in through the identity provider and lands on their cases', async (t) => {
  const { attemptLogin } = await build(t);
  const { client, callback } = await attemptLogin('kari@demoetaten.no');
  t.equal(callback.statusCode, 303);
  t.equal(callback.headers.location, '/cases');
  const page = await client.get('/cases');
  t.equal(page.statusCode, 200);
  t.match(text(page.body), 'Kari Nordmann');
  t.match(text(page.body), 'Mine saker');
});

t.test('the session cookie is our own, HttpOnly and SameSite=Lax', async (t) => {
  const { attemptLogin } = await build(t);
  const { callback } = await attemptLogin('ola@demoetaten.no');
  const cookie = (callback.cookies as { name: string; httpOnly?: boolean; sameSite?: string }[]).find(
    (c) => c.name === 'ks_session',
  );
  t.ok(cookie, 'ks_session is set');
  t.equal(cookie?.httpOnly, true);
  t.equal(cookie?.sameSite, 'Lax');
});

t.test('logout ends the session on the server, even for a copied cookie', async (t) => {
  const { login, client: newClient, idp } = await build(t);
  const client = await login('ola@demoetaten.no');
  const stolen = newClient();
  for (const [name, value] of client.cookies) stolen.cookies.set(name, value);
  t.equal((await stolen.get('/cases')).statusCode, 200, 'the copy works before logout');

  await client.get('/cases');
  const logout = await client.post('/logout', {});
  t.equal(logout.statusCode, 303);
  t.ok(
    String(logout.headers.location).startsWith(idp.issuer),
    'continues to the identity provider to end its session too',
  );

  const after = await stolen.get('/cases');
  t.equal(after.statusCode, 303);
  t.match(after.headers.location, /^\/login\?returnTo=%2Fcases/);
});

t.test('a person without access is refused with a clear message', async (t) => {
  const { attemptLogin } = await build(t);
  const { client, callback } = await attemptLogin('stranger@example.com');
  t.equal(callback.statusCode, 403);
  t.match(text(callback.body), 'Du har ikke tilgang');
  t.equal((await client.get('/cases')).statusCode, 303, 'and is not signed in');
});

t.test('a deactivated user is refused', async (t) => {
  const { attemptLogin, db } = await build(t);
  await db.updateTable('users').set({ active: false }).where('email', '=', 'ola@demoetaten.no').execute();
  const { callback } = await attemptLogin('ola@demoetaten.no');
  t.equal(callback.statusCode, 403);
  t.match(text(callback.body), 'deaktivert');
});

t.test('a callback with a forged state or without a login in progress is rejected', async (t) => {
  const { client } = await build(t);
  const stray = client();
  const noLogin = await stray.get('/auth/callback?code=abc&state=xyz');
  t.equal(noLogin.statusCode, 400);
  t.match(text(noLogin.body), 'Innloggingen er utløpt');

  const started = await stray.get('/login');
  t.equal(started.statusCode, 302);
  const forged = await stray.get('/auth/callback?code=abc&state=forged');
  t.equal(forged.statusCode, 400);
  t.match(text(forged.body), 'Innloggingen mislyktes');
  t.equal((await stray.get('/cases')).statusCode, 303, 'not signed in');
});

t.test('the login request carries PKCE, state, nonce and the user language', async (t) => {
  const { client } = await build(t);
  const started = await client().get('/login', { 'accept-language': 'en-GB,en;q=0.9' });
  const url = new URL(String(started.headers.location));
  t.equal(url.searchParams.get('code_challenge_method'), 'S256');
  t.ok(url.searchParams.get('code_challenge'));
  t.ok(url.searchParams.get('state'));
  t.ok(url.searchParams.get('nonce'));
  t.equal(url.searchParams.get('ui_locales'), 'en');
});

t.test('pages that need a login send the visitor to log in and back', async (t) => {
  const { client } = await build(t);
  const response = await client().get('/cases/new?area=lonn');
  t.equal(response.statusCode, 303);
  t.equal(response.headers.location, '/login?returnTo=%2Fcases%2Fnew%3Farea%3Dlonn');
  const offsite = await client().get('/login?returnTo=//evil.example/');
  t.equal(offsite.statusCode, 302, 'an off-site returnTo is ignored, login still starts');
});

t.test('a state-changing request without a valid CSRF token is refused', async (t) => {
  const { login } = await build(t);
  const client = await login('ola@demoetaten.no');
  await client.get('/');
  const forged = await client.post('/logout', { _csrf: 'forged' });
  t.equal(forged.statusCode, 403);
  t.match(text(forged.body), 'Skjemaet er utløpt');
  t.equal((await client.get('/cases')).statusCode, 200, 'still signed in: the forged logout changed nothing');
});

t.test('a first login whose e-mail the provider has not verified is refused and binds nothing', async (t) => {
  const { db } = await freshDatabase(t);
  const identity = {
    subject: 'unverified-subject',
    email: 'ola@demoetaten.no',
    name: 'Noen Andre',
    idToken: undefined,
    acr: undefined,
    amr: [],
  };
  t.same(await provisionUser(db, { ...identity, emailVerified: false }), { refused: 'email_unverified' });
  const ola = await db
    .selectFrom('users')
    .select('oidc_subject')
    .where('email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  t.equal(ola.oidc_subject, null, "Ola's account is not bound to the unverified login");
  t.match(await provisionUser(db, { ...identity, emailVerified: true }), { userId: Number }, 'verified, it binds');
  t.match(
    await provisionUser(db, { ...identity, emailVerified: false }),
    { userId: Number },
    'afterwards the account is found by its subject, not its address',
  );
});
