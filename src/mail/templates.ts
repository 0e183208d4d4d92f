// Mail text from the catalogues, in the recipient's language. Never case content: only number and link.
import { translator, type Language } from '../web/i18n.js';
import type { MailKind } from './outbox.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderMail(kind: MailKind, language: Language, payload: Record<string, string>): RenderedMail {
  const t = translator(language);
  const params = { ...payload };
  const paragraphs = [t(`mail.${kind}.greeting`, params), t(`mail.${kind}.body`, params), t('mail.linkIntro'), payload.link ?? '', t('mail.noContent')];
  return {
    subject: t(`mail.${kind}.subject`, params),
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html lang="${language}"><body>${paragraphs
      .map((p) => (p === payload.link ? `<p><a href="${escape(p)}">${escape(p)}</a></p>` : `<p>${escape(p)}</p>`))
      .join('')}</body></html>`,
  };
}
