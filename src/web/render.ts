// Page or fragment from the same route: htmx partial swaps get the fragment, everything else the page.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Action } from '../auth/guards.js';
import {
  formatDate,
  formatDateTime,
  formatEndOfDay,
  formatFileSize,
  formatNumber,
  type Language,
  localText,
  type LocalText,
} from './i18n.js';
import { escapeHtml } from './escape.js';
import { isoInstant } from './instant.js';
import { mergeData } from './template-data.js';
import type { Templates } from './templates.js';

export function isPartialRequest(request: FastifyRequest): boolean {
  return request.headers['hx-request'] === 'true' && request.headers['hx-request-type'] === 'partial';
}

const probeOrigin = 'https://return.invalid';

/**
 * Only paths on our own site, so a crafted return target can never send a user elsewhere. Browsers
 * forgive a lot (a tab or newline inside "//", a backslash for a slash), so anything with control
 * characters, whitespace or backslashes is refused outright; what is left must resolve to our own
 * origin, and the normalised path, query and fragment are what we redirect to.
 */
export function safeReturnPath(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || /[\s\\\u0000-\u001f\u007f-\u009f]/.test(value))
    return fallback;
  let resolved: URL;
  try {
    resolved = new URL(value, probeOrigin);
  } catch {
    return fallback;
  }
  if (resolved.origin !== probeOrigin) return fallback;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/**
 * Each case status its own Designsystemet colour, so statuses can be told apart at a glance; the tag always
 * carries the status's name too, never colour alone.
 */
const statusColors: Readonly<Record<string, string>> = {
  active: 'info',
  in_progress: 'accent',
  awaiting_customer: 'warning',
  postponed: 'neutral',
  closed: 'success',
};

/**
 * What the templates get for each language, made once: closures made anew for every request cost more
 * than the little they do (tsx, which runs the app, names each new function with `Object.defineProperty`).
 */
function helpersFor(language: Language) {
  return {
    formatDateTime: (value: Date) => formatDateTime(language, value),
    formatNumber: (value: number) => formatNumber(language, value),
    localText: (text: LocalText | undefined) => localText(text, language),
    // Articles, news and answer templates are written in Norwegian; on an English page they say so
    // (WCAG 3.1.2), so a screen reader reads them with Norwegian pronunciation.
    contentLang: language === 'nb' ? '' : ' lang="nb"',
    formatDate: (isoDate: string) => formatDate(language, isoDate),
    formatEndOfDay: (instant: Date) => formatEndOfDay(language, instant),
    fileSize: (bytes: number) => formatFileSize(language, bytes),
  };
}
const languageHelpers: Record<Language, ReturnType<typeof helpersFor>> = { nb: helpersFor('nb'), en: helpersFor('en') };

/** What a request that failed before the session was read may do: nothing. */
const cannot = (_action: Action) => false;

export function templateLocals(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> {
  const flash = request.session.get('flash');
  if (flash) request.session.set('flash', undefined);
  const helpers = languageHelpers[request.language];
  return {
    t: request.t,
    lang: request.language,
    viewer: request.viewer,
    // Unset when a request fails before the session is read: then the viewer may do nothing.
    can: request.can ?? cannot,
    csrfToken: reply.generateCsrf(),
    currentPath: request.url,
    formatDateTime: helpers.formatDateTime,
    formatNumber: helpers.formatNumber,
    // For `<time datetime>`: `toISOString`'s text, safe to write unescaped (digits, "-", ":", ".", "T", "Z").
    datetime: isoInstant,
    localText: helpers.localText,
    escape: escapeHtml,
    statusColors,
    contentLang: helpers.contentLang,
    formatDate: helpers.formatDate,
    formatEndOfDay: helpers.formatEndOfDay,
    fileSize: helpers.fileSize,
    flash:
      flash === undefined
        ? undefined
        : typeof flash === 'string'
          ? request.t(flash)
          : request.t(flash.key, flash.params),
  };
}

/**
 * `text` as UTF-8 bytes in one pass. `Buffer.from` measures the text's length in bytes and then encodes
 * it, two passes (a 35 KB list page: about 70–120 µs in Node 20); encoding into a buffer with a quarter
 * more room than the text has characters takes half that. A write that may have run out of room (one that
 * came within four bytes, the most a character takes, of the end) is done again by `Buffer.from`. Only the
 * written bytes are ever read: the room beyond them is not sent.
 */
export function utf8(text: string): Buffer {
  const room = text.length + (text.length >> 2) + 16;
  const bytes = Buffer.allocUnsafe(room);
  const written = bytes.write(text);
  return written <= room - 4 ? bytes.subarray(0, written) : Buffer.from(text);
}

/**
 * `reply.render`, drawn with `templates`: the page's own data merged with the request's locals once
 * (mergeData), rendered by the engine itself. @fastify/view, which did this before, copied the data into
 * a fresh object with `Object.assign` and reconfigured the engine on every page; both took the slow paths
 * of template-data.ts.
 */
export function pageRenderer(templates: Templates) {
  return async function render(
    this: FastifyReply,
    view: { page: string; fragment?: string },
    data: Record<string, unknown> = {},
    status = 200,
  ): Promise<FastifyReply> {
    const request = this.request;
    const template = view.fragment && isPartialRequest(request) ? view.fragment : view.page;
    this.header('vary', 'HX-Request, HX-Request-Type, Accept-Language, Cookie');
    this.header('cache-control', 'no-store');
    this.code(status).type('text/html; charset=utf-8');
    const html = templates.render(template, mergeData(templateLocals(request, this), data));
    // Sent as the bytes it will be on the wire: encoded once here, where a string would be read twice more
    // (its length in bytes for Content-Length, then encoded again inside the socket's write), and the
    // encoded copy lives outside the JavaScript heap (a list page: 70 KB less for each collection to scan).
    return this.send(utf8(html));
  };
}
