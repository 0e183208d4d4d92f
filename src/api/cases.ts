// A case an API client opens for a customer: the requester named by id or e-mail, the area and form by
// code, the form's answers checked by its definition exactly as on the page, files checked by their
// bytes. The customer gets the acknowledgement and sees the case in the portal like any other; the
// created event names the client as the one who registered it.
import { uploadFromBuffer, type Upload } from '../attachments/files.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { inputName, rawValue, readAnswers, visibleFields } from '../forms/answers.js';
import { findForm } from '../forms/queries.js';
import { openCase, requesterOf } from '../cases/open.js';
import { checkBody, checkFiles, checkTitle, type Refusal, type VerbContext } from '../cases/rules.js';
import { hasProblems, type Problems } from '../web/input.js';
import type { ApiClient } from './clients.js';

export interface ApiNewCase {
  requester: { id?: number | undefined; email?: string | undefined };
  /** Which of the requester's agencies, by organisation number, when they act for several. */
  agency?: string | undefined;
  area: string;
  form?: string | undefined;
  channel: 'web' | 'email' | 'phone';
  title: string;
  body: string;
  answers: Record<string, string | number | boolean>;
  attachments: { filename: string; data: Buffer; field?: string | undefined }[];
}

/** The requester and the agency the case belongs to; an agency's client only for its own agency's people. */
async function requestersFor(db: Db, client: ApiClient, input: ApiNewCase) {
  let query = db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
    .select(['users.id', 'users.name', 'users.email', 'users.language', 'agencies.id as agency_id'])
    .where('users.active', '=', true);
  if (input.requester.id !== undefined) query = query.where('users.id', '=', input.requester.id);
  else query = query.where('users.email', '=', (input.requester.email ?? '').toLowerCase());
  if (client.reach === 'agency') query = query.where('agencies.id', '=', client.agencyId!);
  if (input.agency !== undefined) query = query.where('agencies.org_number', '=', input.agency);
  return query.orderBy('agencies.id').limit(2).execute();
}

export async function createCaseByApi(
  db: Db,
  viewer: Viewer,
  client: ApiClient,
  input: ApiNewCase,
  context: VerbContext,
): Promise<{ number: string } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const problems: Problems = { ...checkTitle(input.title), ...checkBody(input.body) };
    const area = await trx
      .selectFrom('areas')
      .select(['id', 'code'])
      .where('code', '=', input.area)
      .where('active', '=', true)
      .where((eb) =>
        client.reach === 'centre'
          ? eb.val(true)
          : eb.exists(
              eb
                .selectFrom('agency_areas')
                .select('area_id')
                .whereRef('agency_areas.area_id', '=', 'areas.id')
                .where('agency_areas.agency_id', '=', client.agencyId!),
            ),
      )
      .executeTakeFirst();
    if (!area) problems.area = { key: 'api.errors.area' };
    const form = area && input.form !== undefined ? await findForm(trx, area.code, input.form) : undefined;
    if (input.form !== undefined && form?.purpose !== 'case') problems.form = { key: 'work.errors.form' };

    const people = await requestersFor(trx, client, input);
    if (people.length === 0) problems.requester = { key: 'api.errors.requester' };
    else if (people.length > 1) problems.agency = { key: 'api.errors.requesterAgencies' };

    // Answers as the form's inputs, so they are read by the same rules as the page.
    const fields = form?.fields ?? [];
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries(input.answers)) {
      const field = fields.find((f) => f.key === key && f.type !== 'file');
      if (!field) problems[`answers.${key}`] = { key: 'api.errors.unknownAnswer' };
      else raw[inputName(field)] = typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value);
    }
    const shown = visibleFields(fields, (field) => rawValue(raw, field));
    const uploads: Upload[] = [];
    const filesPerField = new Map<string, number>();
    for (const file of input.attachments) {
      const field = file.field === undefined ? undefined : fields.find((f) => f.key === file.field);
      if (file.field !== undefined && (field?.type !== 'file' || !shown.has(field.key))) {
        problems[`attachments.${file.field}`] = { key: 'api.errors.unknownFileField' };
        continue;
      }
      if (field) filesPerField.set(field.key, (filesPerField.get(field.key) ?? 0) + 1);
      uploads.push(uploadFromBuffer(field ? inputName(field) : 'attachments', file.filename, file.data));
    }
    const { answers, problems: answerProblems } = readAnswers(fields, raw, filesPerField);
    for (const [name, problem] of Object.entries(answerProblems))
      problems[`answers.${name.replace(/^f_/, '')}`] = problem;
    const files = await checkFiles(uploads, context.limits, 0);
    Object.assign(problems, files.problems);
    const customer = people.length === 1 ? people[0] : undefined;
    if (hasProblems(problems) || !area || !customer)
      return { problems, status: files.tooLarge ? 413 : 422 } satisfies Refusal;

    const { number } = await openCase(trx, {
      title: input.title,
      body: input.body,
      areaId: area.id,
      agencyId: customer.agency_id,
      requester: requesterOf(customer),
      actorId: viewer.userId,
      channel: input.channel,
      formId: form?.id ?? null,
      categoryId: null,
      answers,
      files: files.files,
      eventData: { onBehalfOf: customer.id, api: client.name, ...(form ? { form: form.code } : {}) },
      acknowledge: true,
      language: context.language,
      publicUrl: context.publicUrl,
    });
    await context.audit?.(trx, {
      action: 'case.create',
      objectType: 'case',
      objectId: number,
      agencyId: customer.agency_id,
      details: { onBehalfOf: customer.id, area: area.code },
    });
    return { number };
  });
}
