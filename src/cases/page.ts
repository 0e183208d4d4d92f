// The case page: what it shows, and to whom. The routes of cases and of the workspace render it, and
// render it again after a refusal with the user's own text and choices kept (a Draft).
import { membershipRequestOf } from '../me/membership.js';
import type { HeldFile } from '../attachments/held.js';
import type { FastifyReply } from 'fastify';
import { allowedExtensions, type AttachmentLimits } from '../attachments/files.js';
import { caseReferences } from '../api/queries.js';
import { attachmentsOfCase } from '../attachments/queries.js';
import { can } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { keptUntilWritten } from '../db/cache.js';
import { suggestArticles, findArticle } from '../kb/queries.js';
import type { Problems } from '../web/input.js';
import { areaCaseworkers, areaCategories, areaGroups, findCustomers } from '../work/queries.js';
import { answerTemplates, fillTemplate, isMacro } from '../work/templates.js';
import { notFound } from '../web/errors.js';
import { formatDateTime, formatEndOfDay, type Language } from '../web/i18n.js';
import { caseTimeline, customerPanel, findCase, statuses } from './queries.js';
import { bodyMaxLength, messageKinds, priorities, resolutions } from './rules.js';
import { readCase } from './service.js';

/** What the reply form shows again after a refusal: the user's own text and choices. */
export interface Draft {
  body: string;
  problems: Problems;
  assignProblems?: Problems;
  handlingProblems?: Problems;
  hadFiles: boolean;
  /** Files held from the refused try, listed again with the form (`src/attachments/held.ts`). */
  held?: readonly HeldFile[];
  kind?: string | undefined;
  status?: string | undefined;
  expectedDate?: string | undefined;
  version?: number | undefined;
  /** The answer template whose settings (a macro) go with the reply, as the form carries it. */
  macro?: string | undefined;
  /** The closing fields as the caseworker filled them in (raw), shown again after a refusal. */
  closing?: Record<string, string>;
  /** The customer search on a case from an unknown sender, and a refused link's problems. */
  linkQuery?: string;
  linkProblems?: Problems;
}

export const emptyDraft = (changes: Partial<Draft> = {}): Draft => ({
  body: '',
  problems: {},
  hadFiles: false,
  ...changes,
});

/** Where the case page is served: the database, the base of links, the upload limits. */
export interface CasePageContext {
  db: Db;
  publicUrl: URL;
  limits: AttachmentLimits;
}

/** What the upload inputs tell the user, and what the browser's file picker offers. */
export function uploadHints(limits: AttachmentLimits) {
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return {
    limits: { fileMb: mb(limits.fileBytes), caseMb: mb(limits.caseBytes), types: allowedExtensions.join(', ') },
    accept: allowedExtensions.map((ext) => `.${ext}`).join(','),
  };
}

type FoundCase = NonNullable<Awaited<ReturnType<typeof findCase>>>;

/**
 * What the case page offers for a case of an area: its groups, caseworkers, answer templates and
 * categories. Every staff case page asks for them, so they are kept for a few seconds and dropped at once
 * when this process writes to any of their tables; a choice saved is checked against the database.
 */
const areaOffers = keptUntilWritten(
  10_000,
  ['groups', 'users', 'user_roles', 'templates', 'categories'],
  async (db: Db, areaId: number) => {
    const [groups, caseworkers, templates, categories] = await Promise.all([
      areaGroups(db, areaId),
      areaCaseworkers(db, areaId),
      answerTemplates(db, areaId),
      areaCategories(db, areaId),
    ]);
    return { groups, caseworkers, templates, categories };
  },
);

/** The caseworker's side panels: groups, colleagues, templates, the customer, articles, the link search. */
async function workPanels(db: Db, viewer: Viewer, found: FoundCase, draft: Draft, language: Language) {
  const [{ groups, caseworkers, templates, categories }, customer, articles] = await Promise.all([
    areaOffers.get(db, found.area_id),
    customerPanel(db, viewer, found.id),
    suggestArticles(db, viewer, found.title),
  ]);
  // An unlinked case offers a customer search, first by the sender's domain, so colleagues turn up.
  const unlinked = customer && !customer.person;
  const linkQuery = unlinked ? (draft.linkQuery ?? customer.senderAddress?.replace(/^[^@]*/, '') ?? '') : '';
  const link = unlinked
    ? {
        q: linkQuery,
        candidates: linkQuery.length >= 2 ? await findCustomers(db, linkQuery) : [],
        problems: draft.linkProblems ?? {},
      }
    : undefined;
  // Each answer template filled from this case, for inserting at the cursor without a round trip.
  const filled = templates.map((template) => {
    const text = fillFromCase(template.body, found, language);
    return { ...template, filled: 'text' in text ? text.text : undefined, macro: isMacro(template) };
  });
  return { groups, caseworkers, templates: filled, customer, link, articles, categories };
}

function fillFromCase(body: string, found: FoundCase, language: Language) {
  return fillTemplate(body, {
    kunde: found.requester,
    saksnummer: found.number,
    frist: found.expected_at ? formatEndOfDay(language, found.expected_at) : formatDateTime(language, found.due_at),
  });
}

/** Reads the case as the viewer (a staff read is recorded in the audit trail) and renders its page. */
export async function showCase(
  reply: FastifyReply,
  context: CasePageContext,
  viewer: Viewer,
  caseNumber: string,
  draft: Draft,
  status = 200,
) {
  const { db, publicUrl, limits } = context;
  const found = await readCase(db, viewer, caseNumber, reply.request.audit);
  const staff = can(viewer, 'case.assign', { areaId: found.area_id });
  const [timeline, attachments, references, panels, membership] = await Promise.all([
    caseTimeline(db, viewer, found.id),
    attachmentsOfCase(db, viewer, found.id),
    // The case in the centre's specialist systems, for the centre's staff.
    staff ? caseReferences(db, found.id) : [],
    staff
      ? workPanels(db, viewer, found, draft, reply.request.language)
      : {
          groups: [],
          caseworkers: [],
          templates: [],
          customer: undefined,
          link: undefined,
          articles: [],
          categories: [],
        },
    // A request to act for another agency, decided in this case.
    membershipRequestOf(db, found.id),
  ]);
  return reply.render(
    { page: 'cases/show' },
    {
      found,
      timeline,
      attachments,
      references,
      membership,
      decides: staff,
      held: draft.held ?? [],
      draft,
      ...panels,
      publicUrl: publicUrl.href.replace(/\/$/, ''),
      assignProblems: draft.assignProblems ?? {},
      handlingProblems: draft.handlingProblems ?? {},
      priorities,
      resolutions,
      problems: draft.problems,
      ...uploadHints(limits),
      bodyMaxLength,
      statuses,
      messageKinds,
      answering: can(viewer, 'case.answer', { areaId: found.area_id }),
    },
    status,
  );
}

/** Text put into the reply box goes after what is there, never in its place. */
const appended = (typed: string, text: string) => (typed.trim() ? `${typed.replace(/\s+$/, '')}\n\n${text}` : text);

/**
 * The reply box filled from an answer template (its placeholders filled from the case) or with an
 * article's link, for caseworkers who may answer; without JavaScript this is how "insert" works.
 * Anything else asked for is not found; a template with unknown placeholders is refused (422).
 */
export async function prefilledDraft(
  context: CasePageContext,
  viewer: Viewer,
  caseNumber: string,
  draft: Draft,
  wanted: { templateId: number | undefined; articleId: number | undefined; language: Language },
): Promise<{ draft: Draft; status: number }> {
  if (wanted.templateId === undefined && wanted.articleId === undefined) return { draft, status: 200 };
  const { db, publicUrl } = context;
  const found = await findCase(db, viewer, caseNumber);
  if (!found || !can(viewer, 'case.answer', { areaId: found.area_id })) throw notFound();
  if (wanted.templateId !== undefined) {
    const template = (await answerTemplates(db, found.area_id)).find((x) => x.id === wanted.templateId);
    if (!template) throw notFound();
    const filled = fillFromCase(template.body, found, wanted.language);
    if ('unknown' in filled) {
      const names = filled.unknown.map((n) => `{${n}}`).join(', ');
      return {
        draft: { ...draft, problems: { message: { key: 'work.errors.placeholders', params: { names } } } },
        status: 422,
      };
    }
    // A macro's status shows in the form at once, and its other settings are listed above the button.
    const macro = isMacro(template)
      ? { macro: String(template.id), status: template.set_status ?? draft.status }
      : { macro: undefined };
    return { draft: { ...draft, ...macro, body: appended(draft.body, filled.text) }, status: 200 };
  }
  const article = await findArticle(db, viewer, wanted.articleId!);
  if (!article) throw notFound();
  return {
    draft: {
      ...draft,
      body: appended(draft.body, `${article.title}: ${publicUrl.href.replace(/\/$/, '')}/kb/${article.id}`),
    },
    status: 200,
  };
}
