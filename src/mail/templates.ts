// Mail text from the catalogues, in the recipient's language. Never case content: only number and link.
import { translator, type Language } from '../web/i18n.js';
import type { MailKind, ReportMailPayload } from './outbox.js';
import { escapeHtml } from '../web/escape.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

export function renderMail(kind: MailKind, language: Language, payload: Record<string, unknown>): RenderedMail {
  if (kind === 'scheduled_report') return renderReport(language, payload as unknown as ReportMailPayload);
  return renderCaseMail(kind, language, payload as Record<string, string>);
}

// Mails that are not about following a case say in their own words where the link goes.
const ownLinkIntro: ReadonlySet<MailKind> = new Set([
  'noreply_reply',
  'staff_notice',
  'reporting_receipt',
  'reporting_reminder',
  'reporting_overdue',
]);

function renderCaseMail(kind: MailKind, language: Language, payload: Record<string, string>): RenderedMail {
  const t = translator(language);
  // A staff notice says what happened in words of the recipient's language.
  const params = kind === 'staff_notice' ? { ...payload, what: t(`notices.kinds.${payload.what}`) } : { ...payload };
  const paragraphs = [
    t(`mail.${kind}.greeting`, params),
    // An acknowledgement states the case's real deadline; mail queued before it knew one says less.
    t(`mail.${kind}.${kind === 'case_acknowledgement' && payload.due ? 'bodyWithDue' : 'body'}`, params),
    t(ownLinkIntro.has(kind) ? `mail.${kind}.linkIntro` : 'mail.linkIntro'),
    payload.link ?? '',
    t(kind.startsWith('reporting_') ? 'mail.reportingNoContent' : 'mail.noContent'),
  ];
  return {
    subject: t(`mail.${kind}.subject`, params),
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html lang="${language}"><body>${paragraphs
      .map((p) =>
        p === payload.link ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p)}</p>`,
      )
      .join('')}</body></html>`,
  };
}

/** A scheduled report: figures only, never a case, with a link to the report behind them. */
function renderReport(language: Language, report: ReportMailPayload): RenderedMail {
  const t = translator(language);
  const width = Math.max(...report.rows.map(([label]) => label.length));
  const text = [
    report.heading,
    '',
    ...report.rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
    '',
    t('reports.mail.linkIntro'),
    report.link,
    '',
  ].join('\n');
  const rows = report.rows
    .map(
      ([label, value]) =>
        `<tr><th scope="row" align="left">${escapeHtml(label)}</th><td align="right">${escapeHtml(value)}</td></tr>`,
    )
    .join('');
  const html = `<!doctype html><html lang="${language}"><body><h1>${escapeHtml(report.heading)}</h1><table>${rows}</table><p>${escapeHtml(t('reports.mail.linkIntro'))}</p><p><a href="${escapeHtml(report.link)}">${escapeHtml(report.link)}</a></p></body></html>`;
  return { subject: report.subject, text, html };
}
