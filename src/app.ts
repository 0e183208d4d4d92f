// buildApp(config): plugins first, then each feature with its routes. Nothing listens here.
import { createRequire } from 'node:module';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import type { Config } from './config.js';
import type { Db } from './db/index.js';
import { publicDir, viewsDir } from './paths.js';
import './web/types.js';
import { pageRenderer } from './web/render.js';
import { templateEngine } from './web/templates.js';
import { registerErrorHandling } from './web/error-handler.js';
import { HttpError } from './web/errors.js';
import { siteRoutes } from './site/routes.js';
import { sessionPlugin } from './auth/plugin.js';
import { authRoutes } from './auth/routes.js';
import type { OidcClient } from './auth/oidc.js';
import { homeRoutes } from './home/routes.js';
import { caseRoutes } from './cases/routes.js';
import { workRoutes } from './work/routes.js';
import { noticeRoutes } from './notices/routes.js';
import { templateRoutes } from './admin/templates/routes.js';
import { reportingAdminRoutes } from './admin/reporting/routes.js';
import { apiRoutes } from './api/routes.js';
import { apiClientRoutes } from './admin/api-clients/routes.js';
import { apiClientWebhookRoutes } from './admin/api-clients/webhook-routes.js';
import { apiDocsRoutes } from './api/docs-routes.js';
import { caseWorkRoutes } from './work/case-routes.js';
import { serviceLevelRoutes } from './admin/service-levels/routes.js';
import { adminMailRoutes } from './admin/mail/routes.js';
import { editorRoutes } from './admin/editors/routes.js';
import { kbRoutes } from './kb/routes.js';
import { multipartPlugin } from './attachments/multipart.js';
import { attachmentRoutes } from './attachments/routes.js';
import { devMailRoutes, inboundMailRoutes } from './mail/routes.js';
import { inboundSettings } from './mail/inbound.js';
import { auditChainer, auditFor, type Audit, type AuditActor } from './audit/log.js';
import { auditRoutes } from './admin/audit/routes.js';
import { adminUserRoutes } from './admin/users/routes.js';
import { adminAgencyRoutes } from './admin/agencies/routes.js';
import { adminCatalogueRoutes } from './admin/catalogue/routes.js';
import { meRoutes } from './me/routes.js';
import { consentRoutes } from './me/consent-routes.js';
import { reportRoutes } from './reports/routes.js';
import { reportingRoutes } from './reporting/routes.js';
import { addSecurityHeaders } from './web/security-headers.js';

export interface AppDependencies {
  config: Config;
  db: Db;
  oidc: OidcClient;
  logger?: boolean | object;
  /** Shutdown's state: draining (readiness says no, pages still served) and closing (pages say 503). */
  lifecycle?: Lifecycle;
}

export interface Lifecycle {
  draining: boolean;
  closing: boolean;
}

const require = createRequire(import.meta.url);
const packageDir = (entry: string) => path.dirname(require.resolve(entry));
// How often each process links audit entries that no answer of its own has linked yet.
const auditSweepMs = 10_000;

export async function buildApp({
  config,
  db,
  oidc,
  logger,
  lifecycle = { draining: false, closing: false },
}: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? loggerOptions(config),
    trustProxy: config.trustProxy as FastifyServerOptions['trustProxy'],
    bodyLimit: 1024 * 1024,
    // While closing, a request still arriving gets our translated 503 page (below), not Fastify's JSON.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });

  // Every route the app serves, as registered: the access-matrix test checks that each one has a rule.
  const routeTable: { method: string; url: string }[] = [];
  app.decorate('routeTable', routeTable);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routeTable.push({ method, url: route.url });
  });

  addSecurityHeaders(app, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        // Logout redirects a form post to the identity provider; Chromium checks redirects against form-action.
        formAction: ["'self'", oidc.issuerOrigin],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
    },
    strictTransportSecurity: config.publicUrl.protocol === 'https:',
    crossOriginEmbedderPolicy: false,
  });
  await app.register(formbody, { bodyLimit: 256 * 1024 });
  // Only the routes an anonymous visitor can use to cost us something are limited (see anonymousLimit).
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: () => new HttpError(429, 'rate_limited', 'errors.rateLimited'),
  });
  await app.register(multipartPlugin, {
    limits: config.attachmentLimits,
    largestFileBytes: config.reportingFileBytes,
    maxConcurrent: config.uploadsMaxConcurrent,
  });
  await app.register(fastifyStatic, { root: publicDir, prefix: '/static/', maxAge: '1h' });
  await app.register(fastifyStatic, {
    root: packageDir('@digdir/designsystemet-css'),
    prefix: '/static/ds/',
    decorateReply: false,
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: path.dirname(require.resolve('@digdir/designsystemet-css/theme')),
    prefix: '/static/ds-theme/',
    decorateReply: false,
    maxAge: '1d',
  });
  await app.register(fastifyStatic, {
    root: packageDir('htmx.org'),
    prefix: '/static/htmx/',
    decorateReply: false,
    maxAge: '1d',
    allowedPath: (p) => /^\/htmx(\.min)?\.js$/.test(p),
  });
  await app.register(sessionPlugin, {
    db,
    secret: config.sessionSecret,
    secureCookies: config.publicUrl.protocol === 'https:',
    limits: config.sessionLimits,
  });
  // Compiled templates are cached: compiling on every request costs more than the query behind most pages.
  app.decorateReply('render', pageRenderer(templateEngine(viewsDir)));
  // The audit trail writes as the signed-in viewer, from the request's address, in the request's
  // transaction; once the answer is out (so after the commit) the chainer links what it wrote. A sweep
  // now and then links what a process that died after its commit left unlinked.
  const chainer = auditChainer(db, config.auditKey, (error) => app.log.error({ err: error }, 'audit chaining failed'));
  const audited = new WeakSet<object>();
  app.decorateRequest('audit', null as unknown as Audit);
  app.decorateRequest('auditAs', function (this: FastifyRequest, actor: AuditActor) {
    return auditFor(actor, () => audited.add(this));
  });
  // The hooks every request passes through take a callback, not a promise: a promise and a turn of the
  // microtask queue each, on every request, for work that never waits.
  app.addHook('preHandler', (request, _reply, done) => {
    request.audit = request.auditAs({
      userId: request.viewer?.userId ?? null,
      name: request.viewer?.name ?? '',
      ip: request.ip,
    });
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    if (audited.has(request)) chainer.kick();
    done();
  });
  const sweep = setInterval(() => chainer.kick(), auditSweepMs).unref();
  app.addHook('onClose', async () => {
    clearInterval(sweep);
    await chainer.settled();
  });
  registerErrorHandling(app);
  // Draining: every answer closes its connection, so no client reuses a keep-alive socket the close
  // would cut under it; a new request opens a fresh one, and after the close finds the port shut.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!lifecycle.closing) return done();
    reply.header('connection', 'close');
    done(new HttpError(503, 'shutting_down', 'errors.unavailable'));
  });

  await app.register(siteRoutes, { db, lifecycle });
  await app.register(authRoutes, { db, oidc, config });
  await app.register(homeRoutes, { db });
  await app.register(caseRoutes, {
    db,
    publicUrl: config.publicUrl,
    limits: config.attachmentLimits,
    exportsAtOnce: config.exportsMaxConcurrent,
  });
  await app.register(caseWorkRoutes, { db, publicUrl: config.publicUrl, limits: config.attachmentLimits });
  await app.register(attachmentRoutes, { db });
  if (!config.smtpUrl && !config.production) await app.register(devMailRoutes, { db });
  await app.register(inboundMailRoutes, { db, settings: inboundSettings(config) });
  await app.register(serviceLevelRoutes, { db });
  await app.register(adminMailRoutes, { db });
  await app.register(editorRoutes, { db });
  await app.register(auditRoutes, { db });
  await app.register(adminUserRoutes, { db });
  await app.register(adminAgencyRoutes, { db });
  await app.register(adminCatalogueRoutes, { db });
  await app.register(meRoutes, { db, publicUrl: config.publicUrl });
  await app.register(consentRoutes, { db });
  await app.register(kbRoutes, { db });
  await app.register(reportRoutes, { db });
  await app.register(reportingRoutes, { db, publicUrl: config.publicUrl, fileBytes: config.reportingFileBytes });
  await app.register(workRoutes, { db, publicUrl: config.publicUrl, limits: config.attachmentLimits });
  await app.register(noticeRoutes, { db });
  await app.register(templateRoutes, { db });
  await app.register(reportingAdminRoutes, { db });
  await app.register(apiRoutes, {
    db,
    publicUrl: config.publicUrl,
    limits: config.attachmentLimits,
    targets: { allowLoopback: config.webhooksAllowLoopback },
    prefix: '/api/v1',
  });
  await app.register(apiClientRoutes, { db });
  await app.register(apiClientWebhookRoutes, { db });
  await app.register(apiDocsRoutes);
  return app;
}

function loggerOptions(config: Config): object {
  return {
    level: config.logLevel,
    // Paths only: query strings can carry search terms and login codes.
    serializers: {
      req: (request: { method: string; url: string; id: string }) => ({
        method: request.method,
        path: request.url.split('?')[0],
        id: request.id,
      }),
    },
    redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
  };
}
