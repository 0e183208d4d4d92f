// Development identity provider (oidc-provider) beside the app: an e-mail field, a sign-in button,
// no password and no consent screen. Never started in production (config.ts refuses it).
import { demoUsers } from './demo-users.js';
import { generateKeyPair, randomBytes, createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { isLoginLevel, loginLevels, requiredLevel, type LoginLevel } from './strength.js';
import { publicDir } from '../paths.js';
import { isLanguage, translator, type Language } from '../web/i18n.js';

export interface DevIdentityProvider {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  close(): Promise<void>;
}

export interface DevIdpOptions {
  host: string;
  port: number;
  /** The app's external URL: the redirect and logout targets, and where the page's stylesheet lives. */
  publicUrl: URL;
}

const require = createRequire(import.meta.url);
const subjectFor = (email: string) => `dev-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
const emailPattern = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,190}\.[a-z]{2,}$/i;
const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** oidc-provider's storage, in memory: development logins do not need to survive a restart. */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt < Date.now()) store.delete(key);
    return store.get(key)?.payload;
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      store.set(this.key(id), {
        payload,
        expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Number.MAX_SAFE_INTEGER,
      });
      if (typeof payload.uid === 'string')
        store.set(`${this.model}:uid:${payload.uid}`, { payload, expiresAt: Date.now() + (expiresIn || 3600) * 1000 });
    }
    async find(id: string) {
      return live(this.key(id));
    }
    async findByUid(uid: string) {
      return live(`${this.model}:uid:${uid}`);
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const payload = live(this.key(id));
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of store) if (entry.payload.grantId === grantId) store.delete(key);
    }
  };
}

export async function startDevIdentityProvider(options: DevIdpOptions): Promise<DevIdentityProvider> {
  // The key is made on libuv's thread pool while oidc-provider loads: start-up waits for neither alone.
  const keyPair = promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const { default: Provider } = await import('oidc-provider');
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `${options.publicUrl.protocol}//${options.publicUrl.hostname}:${port}`;
  const appOrigin = options.publicUrl.origin;
  const appBase = options.publicUrl.href.replace(/\/$/, '');
  const clientId = 'kundesenter-dev';
  const clientSecret = randomBytes(24).toString('base64url');
  const accounts = new Map<string, { email: string; name: string }>();

  // The login page looks like the app: the same stylesheets, served from this origin.
  const stylesheets = new Map(
    Object.entries({
      '/static/ds.css': require.resolve('@digdir/designsystemet-css'),
      '/static/theme.css': require.resolve('@digdir/designsystemet-css/theme'),
      '/static/app.css': path.join(publicDir, 'app.css'),
    }).map(([url, file]) => [url, readFileSync(file)]),
  );

  const { privateKey } = await keyPair;
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'dev', alg: 'RS256', use: 'sig' };

  const page = (language: Language, title: string, body: string) => `<!doctype html>
<html lang="${language}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/ds.css"><link rel="stylesheet" href="/static/theme.css"><link rel="stylesheet" href="/static/app.css"></head>
<body><main id="main" class="ks-narrow">${body}</main></body></html>`;

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${appBase}/auth/callback`],
        post_logout_redirect_uris: [`${appBase}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [signingKey as never] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Like ID-porten, every ID token says how the user logged in (acr, amr), requested or not.
    claims: {
      sid: null,
      openid: ['sub', 'acr', 'amr', 'auth_time'],
      email: ['email', 'email_verified'],
      profile: ['name', 'locale'],
    },
    acrValues: [...loginLevels],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          const language = isLanguage(ctx.oidc.params?.ui_locales) ? (ctx.oidc.params.ui_locales as Language) : 'nb';
          const t = translator(language);
          ctx.body = page(
            language,
            t('devIdp.logoutTitle'),
            `<h1 class="ds-heading" data-size="md">${escapeHtml(t('devIdp.logoutTitle'))}</h1>
<p class="ds-paragraph">${escapeHtml(t('devIdp.logoutText'))}</p>${form}
<button class="ds-button" type="submit" form="op.logoutForm" value="yes" name="logout">${escapeHtml(t('devIdp.logoutButton'))}</button>`,
          );
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => ({ sub, email: account.email, email_verified: true, name: account.name }),
      };
    },
    // First-party client: grant the requested scopes without a consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page(
        'nb',
        translator('nb')('devIdp.expiredTitle'),
        `<h1 class="ds-heading" data-size="md">${escapeHtml(String(out.error))}</h1><p class="ds-paragraph">${escapeHtml(String(out.error_description ?? ''))}</p>`,
      );
    },
  });
  provider.on('server_error', () => {});
  const callback = provider.callback();
  const csp = `default-src 'none'; style-src 'self'; img-src data:; form-action 'self' ${appOrigin}; frame-ancestors 'none'; base-uri 'none'`;

  // Both ID-porten levels, so tests and demos can log in too weakly on purpose. "Automatic" gives a
  // demo user the level their roles need, or the level the app asked for in a step-up.
  const levelChoice = (t: (key: string) => string, requested: string | undefined) => {
    const chosen = requested && isLoginLevel(requested) ? requested : 'auto';
    const option = (value: string, label: string) =>
      `<div class="ds-field"><input class="ds-input" type="radio" name="level" id="level-${value}" value="${value}"${value === chosen ? ' checked' : ''}><label class="ds-label" data-weight="regular" for="level-${value}">${escapeHtml(label)}</label></div>`;
    return `<fieldset class="ds-fieldset"><legend class="ds-label">${escapeHtml(t('devIdp.level'))}</legend>
${option('auto', t('devIdp.levelAuto'))}${option('idporten-loa-substantial', t('devIdp.levelSubstantial'))}${option('idporten-loa-high', t('devIdp.levelHigh'))}</fieldset>`;
  };

  const loginForm = (
    language: Language,
    uid: string,
    email: string,
    requestedLevel: string | undefined,
    error?: string,
  ) => {
    const t = translator(language);
    const hints = demoUsers.map((u) => `<li><code>${escapeHtml(u.email)}</code></li>`).join('');
    return page(
      language,
      t('devIdp.title'),
      `<h1 class="ds-heading" data-size="md">${escapeHtml(t('devIdp.title'))}</h1>
<p class="ds-paragraph">${escapeHtml(t('devIdp.intro'))}</p>
<form method="post" action="/interaction/${escapeHtml(uid)}/login" novalidate>
<div class="ds-field">
<label class="ds-label" for="email">${escapeHtml(t('devIdp.email'))}</label>
<input class="ds-input" id="email" name="email" type="email" autocomplete="email" required value="${escapeHtml(email)}"${error ? ' aria-invalid="true" aria-describedby="email-error"' : ''}>
${error ? `<div class="ds-validation-message" id="email-error">${escapeHtml(error)}</div>` : ''}
</div>
${levelChoice(t, requestedLevel)}
<button class="ds-button" type="submit">${escapeHtml(t('devIdp.signIn'))}</button>
</form>
<h2 class="ds-heading" data-size="xs">${escapeHtml(t('devIdp.demoUsers'))}</h2><ul class="ds-list">${hints}</ul>`,
    );
  };

  server.on('request', async (req, res) => {
    const stylesheet = stylesheets.get(req.url ?? '');
    if (stylesheet) {
      res.setHeader('content-type', 'text/css; charset=utf-8');
      return res.end(stylesheet);
    }
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url?.split('?')[0] ?? '');
    if (!match) return callback(req, res);
    res.setHeader('content-security-policy', csp);
    res.setHeader('cache-control', 'no-store');
    try {
      const details = await provider.interactionDetails(req, res);
      const locale = details.params.ui_locales;
      const language: Language = isLanguage(locale) ? locale : 'nb';
      const requested =
        typeof details.params.acr_values === 'string' ? details.params.acr_values.split(' ')[0] : undefined;
      if (req.method === 'GET') {
        res.setHeader('content-type', 'text/html; charset=utf-8');
        return res.end(loginForm(language, details.uid, '', requested));
      }
      if (req.method === 'POST' && match[2]) {
        const form = new URLSearchParams(await readBody(req));
        const email = (form.get('email') ?? '').trim().toLowerCase();
        if (!emailPattern.test(email)) {
          res.statusCode = 422;
          res.setHeader('content-type', 'text/html; charset=utf-8');
          return res.end(
            loginForm(language, details.uid, email, requested, translator(language)('devIdp.invalidEmail')),
          );
        }
        const known = demoUsers.find((u) => u.email === email);
        const sub = subjectFor(email);
        accounts.set(sub, { email, name: known?.name ?? email.split('@')[0]! });
        const chosen = form.get('level') ?? 'auto';
        const level: LoginLevel = isLoginLevel(chosen)
          ? chosen
          : requested && isLoginLevel(requested)
            ? requested
            : (requiredLevel(known?.roles.map((r) => r.role) ?? [], {
                staff: 'idporten-loa-high',
                customer: 'idporten-loa-substantial',
                reporting: 'idporten-loa-high',
              }) ?? 'idporten-loa-substantial');
        const amr = level === 'idporten-loa-high' ? ['mfa', 'otp'] : ['pwd'];
        return await provider.interactionFinished(
          req,
          res,
          { login: { accountId: sub, acr: level, amr } },
          { mergeWithLastSubmission: false },
        );
      }
      res.statusCode = 405;
      res.end();
    } catch {
      const t = translator('nb');
      res.statusCode = 400;
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        page(
          'nb',
          t('devIdp.expiredTitle'),
          `<h1 class="ds-heading" data-size="md">${escapeHtml(t('devIdp.expiredTitle'))}</h1>
<p class="ds-paragraph">${escapeHtml(t('devIdp.expired'))}</p><p class="ds-paragraph"><a class="ds-link" href="${appBase}/login">${escapeHtml(t('devIdp.signIn'))}</a></p>`,
        ),
      );
    }
  });

  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 10_000) req.destroy(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}
