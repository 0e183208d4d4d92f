import t from 'tap';
import { build, submitCase, text } from './helpers.js';
import { checkDefinition } from '../src/forms/definition.js';
import { demoForms } from '../src/demo/forms.js';

const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');

const voucher = (extra: Record<string, string> = {}) => ({
  area: 'lonn',
  form_code: 'bilag',
  title: 'Overtid for mars',
  body: 'Bilag for overtid i mars.',
  f_voucher_type: 'variable_pay',
  f_pay_period: '2026-03-12',
  f_voucher_count: '12',
  f_total_amount: '1 250,50',
  f_urgent: 'no',
  ...extra,
});

t.test('every shipped form definition is sound', async (t) => {
  for (const form of demoForms) t.same(checkDefinition(form.fields), [], `${form.area}/${form.code}`);
  t.same(
    checkDefinition('x').map((p) => p.key),
    ['forms.definition.notList'],
  );
  t.same(
    checkDefinition([
      { key: 'a', type: 'select', label: { nb: 'A', en: 'A' } },
      { key: 'a', type: 'colour', label: { nb: 'B', en: 'B' } },
      { key: 'c', type: 'text', label: { nb: 'C', en: '' }, showIf: { field: 'later', equals: ['x'] } },
      { key: 'Title', type: 'text', label: { nb: 'D', en: 'D' } },
    ]).map((p) => p.key),
    [
      'forms.definition.badOptions',
      'forms.definition.duplicateKey',
      'forms.definition.badType',
      'forms.definition.badLabel',
      'forms.definition.badCondition',
      'forms.definition.badKey',
    ],
  );
});

t.test('the payment voucher form checks its own fields, its condition and its required file', async (t) => {
  const { login, db } = await build(t);
  const kari = await login('kari@demoetaten.no');

  const missing = await submitCase(
    kari,
    voucher({ f_voucher_count: 'tolv', f_pay_period: '2026-02-30', f_urgent: 'yes' }),
  );
  t.equal(missing.statusCode, 422);
  const shown = text(missing.body);
  t.match(shown, 'Skriv et tall, for eksempel 1 250,50.');
  t.match(shown, 'Skriv en gyldig dato.');
  t.match(shown, 'Fyll ut feltet.', 'the reason is required once "urgent" is yes');
  t.match(shown, 'Legg ved minst én fil.');
  t.match(missing.body, 'value="tolv"', 'what was typed comes back');
  t.match(missing.body, /id="f_urgent-0" name="f_urgent" value="yes" checked/);

  const created = await submitCase(kari, voucher({ f_urgent_reason: 'Ignoreres når det ikke haster' }), [
    { field: 'f_vouchers', name: 'bilag.pdf', data: pdf },
  ]);
  t.equal(created.statusCode, 303);
  const stored = await db
    .selectFrom('cases')
    .innerJoin('forms', 'forms.id', 'cases.form_id')
    .select(['cases.answers', 'forms.code'])
    .executeTakeFirstOrThrow();
  t.equal(stored.code, 'bilag');
  t.same(
    stored.answers,
    { voucher_type: 'variable_pay', pay_period: '2026-03-12', voucher_count: 12, total_amount: 1250.5, urgent: false },
    'a hidden field is dropped, numbers are numbers',
  );
  const file = await db.selectFrom('attachments').select(['form_field', 'filename']).executeTakeFirstOrThrow();
  t.same(file, { form_field: 'vouchers', filename: 'bilag.pdf' });

  const page = text((await kari.get(String(created.headers.location))).body);
  t.match(page, 'Bilag til utbetaling');
  t.match(page, 'Type bilag Variabel lønn (overtid, tillegg)');
  t.match(page, 'Antall bilag 12');
  t.match(page, 'Sum beløp (kr) 1 250,5');
  t.match(page, 'Haster utbetalingen? Nei');
  t.match(page, 'Bilag bilag.pdf');
});

t.test('only authorised orderers see and use the access-order form', async (t) => {
  const { login, db } = await build(t);
  const order = {
    area: 'lonn',
    form_code: 'tilgang',
    title: 'Tilgang for ny ansatt',
    body: 'Ny medarbeider i lønn.',
    f_system: 'sap',
    f_change: 'new',
    f_person_name: 'Nina Ny',
    f_employee_number: '10234',
    f_org_unit: 'Lønnsseksjonen',
    f_roles: 'Lønnsmedarbeider',
    f_valid_from: '2026-12-01',
  };
  const ola = await login('ola@demoetaten.no');
  t.notMatch(text((await ola.get('/cases/new')).body), 'Bestilling av tilgang', 'not offered');
  const direct = await ola.get('/cases/new?area=lonn&form=tilgang');
  t.equal(direct.statusCode, 403);
  t.match(text(direct.body), 'Bare autoriserte bestillere i virksomheten kan bestille tilganger.');
  t.equal((await ola.post('/cases', order)).statusCode, 403, 'posting it anyway is refused on the server');
  const per = await login('per@testdirektoratet.no');
  await per.get('/cases');
  t.equal((await per.post('/cases', order)).statusCode, 403, 'an orderer elsewhere is not one here');

  const kari = await login('kari@demoetaten.no');
  t.match(text((await kari.get('/')).body), 'Bestilling av tilgang', 'offered on the home page tiles');
  const created = await submitCase(kari, order);
  t.equal(created.statusCode, 303);
  const count = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 1);
});

t.test('a national identity number is refused in the title but allowed in the description', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const base = { area: 'lonn', form_code: 'henvendelse', f_kind: 'question', body: 'Gjelder 130972 48022.' };
  for (const title of ['Feil for 13097248022', 'Feil for 130972 48022', 'D-nummer 53097248016']) {
    const refused = await submitCase(ola, { ...base, title });
    t.equal(refused.statusCode, 422, title);
    t.match(text(refused.body), 'Tittelen inneholder et fødselsnummer eller d-nummer');
    t.match(refused.body, `value="${title}"`, 'the title is kept for editing');
  }
  const check = await ola.post(
    '/cases/title-check',
    { title: 'Lønn for 13097248022' },
    { 'hx-request': 'true', 'hx-request-type': 'partial' },
  );
  t.equal(check.statusCode, 200);
  t.match(text(check.body), 'ser ut til å inneholde et fødselsnummer');
  const fine = await ola.post(
    '/cases/title-check',
    { title: 'Ordrenummer 12345678901' },
    { 'hx-request': 'true', 'hx-request-type': 'partial' },
  );
  t.notMatch(text(fine.body), 'fødselsnummer', 'eleven digits that fail the check digits are not flagged');

  const accepted = await submitCase(ola, { ...base, title: 'Ordrenummer 12345678901' });
  t.equal(accepted.statusCode, 303);
  const stored = await db.selectFrom('cases').select('body').executeTakeFirstOrThrow();
  t.equal(stored.body, 'Gjelder 130972 48022.', 'the description keeps it');
});

t.test('a payroll voucher is due by the payroll calendar when its deadline comes before the target', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const file = [{ field: 'f_vouchers', name: 'bilag.pdf', type: 'application/pdf', data: pdf }];
  const dueOf = async (response: { headers: Record<string, unknown> }) =>
    (
      await db
        .selectFrom('cases')
        .select('due_at')
        .where('number', '=', String(response.headers.location).split('/').pop()!)
        .executeTakeFirstOrThrow()
    ).due_at;
  const { osloDay, endOfOsloDay, addDays } = await import('../src/sla/calendar.js');
  const today = osloDay(new Date());
  // The registration deadline is today: the voucher is due at the end of today, before the five working days.
  await db
    .deleteFrom('reporting_calendar')
    .where('calendar', '=', 'payroll')
    .where('deadline', '>=', addDays(today, -40))
    .execute();
  await db
    .insertInto('reporting_calendar')
    .values({ calendar: 'payroll', month: '2099-01', deadline: today })
    .execute();
  t.same(await dueOf(await submitCase(ola, voucher(), file)), endOfOsloDay(today), 'due when the payroll deadline is');
  // With the next deadline far off, the working-day target stands.
  await db
    .updateTable('reporting_calendar')
    .set({ deadline: addDays(today, 60) })
    .where('month', '=', '2099-01')
    .execute();
  const due = await dueOf(await submitCase(ola, voucher(), file));
  t.ok(due < endOfOsloDay(addDays(today, 10)), 'five working days, not the far deadline');
  // A general enquiry follows no calendar.
  await db.updateTable('reporting_calendar').set({ deadline: today }).where('month', '=', '2099-01').execute();
  const enquiry = await submitCase(ola, {
    area: 'lonn',
    form_code: 'henvendelse',
    f_kind: 'question',
    title: 'Spørsmål',
    body: 'Om lønn.',
  });
  t.ok((await dueOf(enquiry)) > endOfOsloDay(today), 'the enquiry keeps its two working days');
});

t.test('required questions say so, to the eye and to a screen reader; optional ones too', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const page = (await kari.get('/cases/new?area=lonn&form=henvendelse')).body;
  const kind = /<fieldset[^>]*>\s*<legend[^>]*>Hva gjelder det\?[\s\S]*?<\/legend>/.exec(page)?.[0] ?? '';
  t.match(kind, 'role="radiogroup" aria-required="true"', 'the choice is announced as required');
  t.match(text(kind), 'Hva gjelder det? (må fylles ut)', 'and marked in its legend');
  t.match(page, /<input class="ds-input" id="title" name="title" aria-required="true"/);
  t.match(page, /<textarea class="ds-input" id="body" name="body" aria-required="true"/);
  const system = /<label[^>]*for="f_system">[\s\S]*?<\/label>/.exec(page)?.[0] ?? '';
  t.match(text(system), '(valgfritt)', 'an optional question is marked optional');
  t.notMatch(page, /id="f_system"[^>]*aria-required/);
});

t.test('the home page: every link can be followed by whoever sees it, under headings in order', async (t) => {
  const { login, client } = await build(t);
  const headings = (body: string) =>
    [...body.matchAll(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/g)].map((m) => ({
      level: Number(m[1]),
      text: text(m[2] ?? ''),
    }));
  const visitors = {
    anonymous: client(),
    kari: await login('kari@demoetaten.no'),
    siri: await login('siri@kundesenter.no'),
    anne: await login('admin@kundesenter.no'),
  };
  for (const [who, visitor] of Object.entries(visitors)) {
    const home = await visitor.get('/');
    t.equal(home.statusCode, 200);
    const main = /<main[\s\S]*<\/main>/.exec(home.body)?.[0] ?? '';
    const levels = headings(main);
    t.equal(levels[0]?.level, 1, `${who}: the page starts with its h1`);
    t.ok(
      levels.every((h, i) => i === 0 || h.level <= (levels[i - 1]?.level ?? 1) + 1),
      `${who}: no heading skips a level`,
    );
    const areas = levels.findIndex((h) => h.text === 'Områder');
    t.equal(levels[areas]?.level, 2, `${who}: "Områder" is a section`);
    t.match(levels[areas + 1], { level: 3, text: 'Lønn' }, `${who}: and the area tiles are its subsections`);
    if (who === 'anonymous') continue;
    const links = [...main.matchAll(/<a [^>]*href="(\/[^"]*)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
    t.ok(links.length > 3, `${who}: the page has links`);
    for (const href of new Set(links)) {
      const followed = await visitor.get(href);
      t.ok(followed.statusCode < 400, `${who}: ${href} answers ${followed.statusCode}`);
    }
    if (who === 'siri') {
      t.notOk(
        links.some((href) => href.startsWith('/cases/new')),
        'staff are not offered forms they cannot submit',
      );
      t.ok(links.includes('/kb?area=lonn'), 'each area leads to its help articles instead');
      t.ok(links.includes('/work'), 'and the note leads to the workspace');
    }
  }
});
