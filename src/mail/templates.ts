// Mail text from the catalogues, in the recipient's language. Never case content: only number and link.
import { translator, type Language } from '../web/i18n.js';
import type { MailKind } from './outbox.js';
import { escapeHtml } from '../web/escape.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}


export function renderMail(kind: MailKind, language: Language, payload: Record<string, string>): RenderedMail {
  const t = translator(language);
  const params = { ...payload };
  const paragraphs = [t(`mail.${kind}.greeting`, params), t(`mail.${kind}.body`, params), t('mail.linkIntro'), payload.link ?? '', t('mail.noContent')];
  return {
    subject: t(`mail.${kind}.subject`, params),
    text: paragraphs.join('\n\n') + '\n',
    html: `<!doctype html><html lang="${language}"><body>${paragraphs
      .map((p) => (p === payload.link ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`))
      .join('')}</body></html>`,
  };
}
