import type { Action } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { LoginTransaction } from '../auth/oidc.js';
import type { PendingRegistration } from '../auth/registration.js';
import type { Language, Translate } from './i18n.js';
import type { Audit, AuditActor } from '../audit/log.js';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer | null;
    language: Language;
    t: Translate;
    /** What the viewer may do, for templates (see src/auth/guards.ts). */
    can: (action: Action) => boolean;
    /** Writes to the audit trail as this request's viewer, from its address (see src/audit/log.ts). */
    audit: Audit;
    /** Writes to the audit trail as someone who is not (yet) the viewer, e.g. while registering. */
    auditAs: (actor: AuditActor) => Audit;
  }
  interface FastifyInstance {
    /** Every route as registered (method and URL pattern), for the access-matrix test. */
    readonly routeTable: readonly { method: string; url: string }[];
  }
  interface FastifyReply {
    /** Renders a page, or only its fragment when htmx asks for a partial swap. */
    render(
      view: { page: string; fragment?: string },
      data?: Record<string, unknown>,
      status?: number,
    ): Promise<FastifyReply>;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    sid: string;
    idToken: string;
    login: LoginTransaction;
    /** A person the provider vouched for who has no user yet, between login and choosing an agency. */
    registration: PendingRegistration;
    lang: Language;
    /** A message for the next page: a catalogue key, with parameters when it names something. */
    flash: string | { key: string; params: Record<string, string> };
    /** The workspace list last opened (its query string): "Neste sak" follows its order. */
    workList: string;
  }
}
