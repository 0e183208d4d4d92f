import t from 'tap';
import ExcelJS from 'exceljs';
import type { Db } from '../src/db/index.js';
import { sql } from 'kysely';
import { build, caseNumbersIn, text, type Client } from './helpers.js';
import { assertPrintable } from './workbooks.js';
import { seedCases } from '../src/demo/seed.js';
import { listColumns } from '../src/cases/list/filter.js';

let sequence = 0;
/** Inserts a case as if it had been submitted at `created`, with only what a list test needs. */
async function existingCase(
  db: Db,
  who: string,
  fields: {
    area?: string;
    title: string;
    status?: string;
    created?: string;
    updated?: string;
    channel?: 'web' | 'email' | 'phone';
    message?: string;
  },
) {
  const user = await db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select(['users.id', 'agency_members.agency_id'])
    .where('email', '=', who)
    .executeTakeFirstOrThrow();
  const area = await db
    .selectFrom('areas')
    .select('id')
    .where('code', '=', fields.area ?? 'lonn')
    .executeTakeFirstOrThrow();
  sequence += 1;
  const number = `2025-${String(sequence).padStart(6, '0')}`;
  const created = new Date(fields.created ?? `2025-01-01T10:00:00Z`);
  const row = await db
    .insertInto('cases')
    .values({
      number,
      title: fields.title,
      body: 'Beskrivelse',
      area_id: area.id,
      agency_id: user.agency_id,
      requester_id: user.id,
      status: fields.status ?? 'active',
      channel: fields.channel ?? 'web',
      created_at: created,
      updated_at: new Date(fields.updated ?? created.toISOString()),
      due_at: new Date(created.getTime() + 2 * 86_400_000),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (fields.message)
    await db
      .insertInto('case_events')
      .values({ case_id: row.id, kind: 'message', actor_id: user.id, data: { body: fields.message } })
      .execute();
  return number;
}

async function seedAgency(db: Db) {
  return {
    olaLonn: await existingCase(db, 'ola@demoetaten.no', {
      title: 'Feriepenger mangler',
      created: '2025-03-10T09:00:00Z',
      status: 'closed',
      message: 'Utbetalingen kom aldri',
    }),
    olaRegnskap: await existingCase(db, 'ola@demoetaten.no', {
      area: 'regnskap',
      title: 'Faktura i feil periode',
      created: '2025-03-11T09:00:00Z',
    }),
    kariLonn: await existingCase(db, 'kari@demoetaten.no', {
      title: 'Avvik i lønnsslipp',
      created: '2025-03-12T23:30:00Z',
      status: 'in_progress',
      channel: 'phone',
    }),
    perRegnskap: await existingCase(db, 'per@testdirektoratet.no', {
      area: 'regnskap',
      title: 'Bilag fra Testdirektoratet',
      created: '2025-03-13T09:00:00Z',
    }),
  };
}

t.test('"mine / hele virksomheten": professional users see the agency\'s cases in their area only', async (t) => {
  const { login, db } = await build(t);
  const cases = await seedAgency(db);
  const kari = await login('kari@demoetaten.no');
  const agency = caseNumbersIn((await kari.get('/cases?scope=agency')).body);
  t.same(agency.sort(), [cases.olaLonn, cases.kariLonn].sort(), "own cases plus the agency's lønn cases");
  t.same(caseNumbersIn((await kari.get('/cases?scope=mine')).body), [cases.kariLonn]);
  t.same(
    caseNumbersIn((await kari.get('/cases')).body).sort(),
    agency.sort(),
    'a professional user starts with the whole agency',
  );

  const ola = await login('ola@demoetaten.no');
  t.same(caseNumbersIn((await ola.get('/cases')).body), [cases.olaRegnskap, cases.olaLonn]);
  const refused = await ola.get('/cases?scope=agency');
  t.equal(refused.statusCode, 422, 'the switch is not for users without the role');
  t.match(text(refused.body), 'Ukjent visning.');
  t.same(caseNumbersIn(refused.body), []);

  const per = await login('per@testdirektoratet.no');
  t.same(
    caseNumbersIn((await per.get('/cases?scope=agency')).body),
    [cases.perRegnskap],
    "another agency sees none of Demoetaten's cases",
  );
  t.same(caseNumbersIn((await per.get('/cases?scope=agency&q=Feriepenger')).body), [], 'not even through search');
});

t.test('filters per column, sorting and search live in the URL; bad values get a clear 422', async (t) => {
  const { login, db } = await build(t);
  const cases = await seedAgency(db);
  const kari = await login('kari@demoetaten.no');
  const list = async (query: string) => caseNumbersIn((await kari.get(`/cases?scope=agency&${query}`)).body);

  t.same(await list('status=closed'), [cases.olaLonn]);
  t.same(
    (await list('status=closed&status=in_progress')).sort(),
    [cases.olaLonn, cases.kariLonn].sort(),
    'status is a multi-select',
  );
  t.same(await list('title=LØNNSSLIPP'), [cases.kariLonn], 'title contains, ignoring case');
  t.same(await list('requester=ola'), [cases.olaLonn]);
  t.same(await list('channel=phone'), [cases.kariLonn]);
  const category = await db
    .selectFrom('categories')
    .select('id')
    .where('code', '=', 'refusjon')
    .executeTakeFirstOrThrow();
  const voucherForm = await db.selectFrom('forms').select('id').where('code', '=', 'bilag').executeTakeFirstOrThrow();
  await db.updateTable('cases').set({ category_id: category.id }).where('number', '=', cases.kariLonn).execute();
  await db.updateTable('cases').set({ form_id: voucherForm.id }).where('number', '=', cases.olaLonn).execute();
  t.same(await list(`category=${category.id}`), [cases.kariLonn], 'category multi-select');
  t.same(await list(`form_id=${voucherForm.id}`), [cases.olaLonn], 'form multi-select');
  t.same(await list('title=%25'), [], 'a % is a character, not a wildcard');
  t.same(
    await list('created_from=2025-03-13&created_to=2025-03-13'),
    [cases.kariLonn],
    'dates are Oslo days: 23:30 UTC on the 12th is the 13th in Oslo',
  );
  t.same(await list('updated_to=2025-03-10'), [cases.olaLonn]);
  t.same(
    await list('q=utbetalingene'),
    [cases.olaLonn],
    'full-text search finds words in messages, stemmed, in closed cases too',
  );
  t.same(await list('sort=title&dir=asc'), [cases.kariLonn, cases.olaLonn]);
  t.same(await list('sort=title&dir=desc'), [cases.olaLonn, cases.kariLonn]);
  t.same(await list('sort=status&dir=asc'), [cases.kariLonn, cases.olaLonn], 'status sorts by the life of a case');

  for (const [query, message] of <[string, string][]>[
    ['sort=password', 'Ukjent sortering.'],
    ['sort=title&dir=sideways', 'Ukjent sortering.'],
    ['status=deleted', 'Ukjent status i filteret.'],
    ['area=hr', 'Ukjent område i filteret.'],
    ['category=999999', 'Ukjent kategori i filteret.'],
    ['form_id=abc', 'Ukjent skjema i filteret.'],
    ['created_from=2025-02-30', 'Skriv datoen som dd.mm.åååå.'],
    ['created_from=2025-03-02&created_to=2025-03-01', 'Til-datoen må være lik eller etter fra-datoen.'],
    ['after=not-a-cursor', 'Lenken til denne siden er ugyldig.'],
  ]) {
    const response = await kari.get(`/cases?${query}`);
    t.equal(response.statusCode, 422, query);
    t.match(text(response.body), message);
  }

  const fragment = await kari.get('/cases?scope=agency&status=closed', {
    'hx-request': 'true',
    'hx-request-type': 'partial',
  });
  t.match(fragment.body, /^<div id="case-list">/, 'htmx gets the table alone');
  t.notMatch(fragment.body, '<html');
  const page = await kari.get('/cases?scope=agency&status=closed');
  t.match(page.body, '<html', 'the same URL opened directly is the whole page');
  t.match(
    page.body,
    /id="filter-status-closed" name="status" value="closed" checked/,
    'the form shows the filter from the URL',
  );
});

t.test('what a search says survives the sorting and export links, whatever characters it holds', async (t) => {
  const { login, db } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const search = `lønn & "ferie" (100%)+ ~ é/?#=😀`;
  const number = await existingCase(db, 'kari@demoetaten.no', { title: `Spørsmål om ${search}` });
  const page = await kari.get(
    `/cases?scope=agency&title=${encodeURIComponent(search)}&requester=${encodeURIComponent('Kari N')}`,
  );
  t.same(caseNumbersIn(page.body), [number], 'the case is found by its title');
  const fromHtml = (href: string) => href.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&#39;', "'");
  const sortLink = fromHtml(/<a class="ks-sort" href="([^"]+sort=title[^"]*)"/.exec(page.body)?.[1] ?? '');
  t.match(sortLink, /^\/cases\?scope=agency&title=/, 'the sort link keeps the filter');
  const sorted = await kari.get(sortLink);
  t.equal(sorted.statusCode, 200);
  t.same(caseNumbersIn(sorted.body), [number], 'sorted, the same case');
  const box = /id="filter-title" name="title" value="([^"]*)"/.exec(sorted.body)?.[1] ?? '';
  t.equal(fromHtml(box), search, 'the title filter after sorting says what was searched for');
  const exportLink = fromHtml(/href="(\/cases\/export\.xlsx\?[^"]+)"/.exec(sorted.body)?.[1] ?? '');
  const exported = new URL(exportLink, 'http://x').searchParams;
  t.equal(exported.get('title'), search, 'the export asks for the same title');
  t.equal(exported.get('requester'), 'Kari N', 'and the same requester');
  t.equal(exported.get('sort'), 'title');
});

t.test('the column filters and the column chooser come when asked for, with and without JavaScript', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const partial = { 'hx-request': 'true', 'hx-request-type': 'partial' };
  const plain = await kari.get('/cases?scope=agency&sort=title&dir=asc');
  t.notMatch(plain.body, 'id="filter-status-closed"', 'an unfiltered list does not carry the column filters');
  t.match(
    plain.body,
    'hx-get="/cases/filters?scope=agency&amp;sort=title&amp;dir=asc"',
    'the closed panel fetches them',
  );
  t.match(plain.body, 'href="/cases?scope=agency&amp;sort=title&amp;dir=asc&amp;filters=all"', 'or links to them');
  t.notMatch(plain.body, 'id="column-title"', 'nor the column chooser');

  // htmx asks for the panel's fields, the URL's choices ticked; a browser without it gets the list with them.
  const fields = await kari.get('/cases/filters?scope=agency&status=closed&area=lonn', partial);
  t.equal(fields.statusCode, 200);
  t.notMatch(fields.body, '<html', 'the fields alone');
  t.match(fields.body, /id="filter-status-closed" name="status" value="closed" checked/);
  t.match(fields.body, /id="filter-area-lonn" name="area" value="lonn" checked/);
  t.match(fields.body, /id="filter-status-active" name="status" value="active">/);
  const direct = await kari.get('/cases/filters?scope=agency&sort=title&dir=asc');
  t.equal(direct.statusCode, 303);
  t.equal(direct.headers.location, '/cases?scope=agency&sort=title&dir=asc&filters=all');
  const every = await kari.get(direct.headers.location as string);
  t.match(every.body, /<details class="ds-details ks-filters__more" open>/, 'the panel is open');
  t.match(every.body, 'id="filter-status-closed"', 'with every field');
  t.match(every.body, /name="sort" value="title"/, 'the order is kept when the form is sent');
  t.equal(
    (await kari.get('/cases/filters?scope=agency&status=deleted', partial)).statusCode,
    200,
    'a bad filter in the URL is shown by the list itself',
  );

  // The chooser: a page of its own without htmx, the form alone with it; it only ever returns to a list.
  const chooser = await kari.get(
    `/cases/columns?returnTo=${encodeURIComponent('/cases?scope=agency&sort=title&dir=asc')}`,
  );
  t.match(chooser.body, '<h1 class="ds-heading" data-size="lg">Velg kolonner</h1>');
  t.match(chooser.body, /id="column-title" name="columns" value="title" checked/, 'the columns shown are ticked');
  t.match(chooser.body, /id="column-form" name="columns" value="form">/, 'the others are not');
  t.match(chooser.body, 'name="returnTo" value="/cases?scope=agency&amp;sort=title&amp;dir=asc"');
  t.match(chooser.body, 'name="_csrf"');
  const form = await kari.get('/cases/columns?returnTo=%2Fcases', partial);
  t.match(form.body, /^<form id="column-chooser"/, 'htmx gets the form alone');
  for (const elsewhere of ['https://evil.example/', '//evil.example', '/me'])
    t.match(
      (await kari.get(`/cases/columns?returnTo=${encodeURIComponent(elsewhere)}`)).body,
      'name="returnTo" value="/cases"',
      `${elsewhere}: back to the list instead`,
    );
  const saved = await kari.post('/cases/columns', { columns: ['title', 'status'], returnTo: '/cases?scope=agency' });
  t.equal(saved.headers.location, '/cases?scope=agency');
  const after = await kari.get('/cases?scope=agency');
  t.match(after.body, 'Kolonnevalget er lagret.');
  t.notMatch(after.body, 'data-label="Område"', 'the chosen columns are the ones shown');
});

t.test('a column shows the same values whichever other columns are chosen', async (t) => {
  // A page reads only what its columns show: each column alone must show what it shows among all of them.
  const { login, db } = await build(t);
  await seedCases(db, 80);
  await sql`UPDATE cases SET assignee_id = (SELECT id FROM users WHERE email = 'siri@kundesenter.no') WHERE id % 3 = 0`.execute(
    db,
  );
  const siri = await login('siri@kundesenter.no');
  const cells = (body: string) => {
    const rows = new Map<string, Map<string, string>>();
    for (const row of body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) {
      const number = /href="\/cases\/([^"]+)"/.exec(row[1]!)?.[1];
      if (!number) continue;
      rows.set(
        number,
        new Map([...row[1]!.matchAll(/<td data-label="([^"]+)"[^>]*>([\s\S]*?)<\/td>/g)].map((m) => [m[1]!, m[2]!])),
      );
    }
    return rows;
  };
  // Every column a caseworker may choose.
  const all = [...listColumns];
  const list = '/work?queue=all&sort=number&dir=asc';
  await siri.get(list);
  t.equal((await siri.post('/cases/columns', { columns: all, returnTo: list })).statusCode, 303);
  const everything = cells((await siri.get(list)).body);
  t.equal(everything.size, 50, 'a full page');
  for (const column of all.slice(1)) {
    await siri.post('/cases/columns', { columns: [column], returnTo: list });
    const alone = cells((await siri.get(list)).body);
    const label =
      [...alone.values()][0]?.keys().next().value === 'Saksnummer' ? [...[...alone.values()][0]!.keys()][1] : undefined;
    t.ok(label, `${column}: shown`);
    const differing = [...alone].filter(([number, row]) => row.get(label!) !== everything.get(number)?.get(label!));
    t.same(
      differing.map(([number]) => number),
      [],
      `${column} (${label}): the same values`,
    );
    t.ok(
      [...alone.values()].some((row) => row.get(label!)!.trim() !== ''),
      `${column}: some case has a value`,
    );
  }
});

t.test("a list follows the viewer's access at once, though its statement is kept between requests", async (t) => {
  const { login, db } = await build(t);
  await existingCase(db, 'ola@demoetaten.no', { title: 'Olas sak om lønn' });
  const kari = await login('kari@demoetaten.no');
  t.match(
    text((await kari.get('/cases?scope=agency')).body),
    'Olas sak om lønn',
    'the agency list, as a professional user',
  );
  t.match(text((await kari.get('/cases?scope=agency')).body), 'Olas sak om lønn', 'again, from the kept statement');
  await sql`DELETE FROM user_roles WHERE role = 'professional_user' AND user_id = (SELECT id FROM users WHERE email = 'kari@demoetaten.no')`.execute(
    db,
  );
  const after = await kari.get('/cases?scope=agency');
  t.notMatch(text(after.body), 'Olas sak om lønn', 'the grant taken away, the same URL no longer shows the case');
});

t.test('keyset pages in any sort order reach every case exactly once', async (t) => {
  const { login, db } = await build(t);
  for (let i = 0; i < 130; i++) {
    await existingCase(db, 'ola@demoetaten.no', {
      title: `Sak ${String(i % 40).padStart(2, '0')}`,
      created: new Date(Date.UTC(2025, 0, 1, 0, i % 3)).toISOString(),
    });
  }
  const ola = await login('ola@demoetaten.no');
  const link = (body: string, rel: string) =>
    new RegExp(`rel="${rel}" href="([^"]+)"`).exec(body)?.[1]?.replaceAll('&amp;', '&');
  for (const sort of ['title&dir=asc', 'created&dir=desc', 'status&dir=desc', 'number&dir=asc']) {
    const pages: string[][] = [];
    let url: string | undefined = `/cases?sort=${sort}`;
    let last = '';
    while (url) {
      const page = await ola.get(url);
      pages.push(caseNumbersIn(page.body));
      t.match(text(page.body), 'Saker du har sendt inn: 130 saker', `${sort}: the count on every page`);
      if (pages.length === 1) t.equal(link(page.body, 'prev'), undefined, `${sort}: no previous page on the first`);
      last = page.body;
      url = link(page.body, 'next');
    }
    const seen = pages.flat();
    t.equal(seen.length, 130, `${sort}: every case`);
    t.equal(new Set(seen).size, 130, `${sort}: none twice`);
    // And back again, page by page, to the first.
    const back: string[][] = [];
    let previous = link(last, 'prev');
    while (previous) {
      const page = await ola.get(previous);
      back.unshift(caseNumbersIn(page.body));
      previous = link(page.body, 'prev');
    }
    t.same(back, pages.slice(0, -1), `${sort}: "previous page" shows the same pages, in order`);
  }
});

t.test('the count is exact for a short list and stops at the cap for a long one', async (t) => {
  const { login, db } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const countIn = (body: string) =>
    /Saker du har sendt inn: ((?:Mer enn )?\d[\d\s]* saker|1 sak)\b/.exec(text(body))?.[1]?.replace(/\s+/g, ' ');
  await existingCase(db, 'kari@demoetaten.no', { title: 'Unik tittel' });
  await existingCase(db, 'kari@demoetaten.no', { title: 'Annen tittel' });
  t.equal(countIn((await kari.get('/cases?scope=mine&title=Unik')).body), '1 sak', 'one case, singular');
  t.equal(countIn((await kari.get('/cases?scope=mine&title=tittel')).body), '2 saker');
  await sql`
    INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at)
    SELECT '2099-' || lpad(n::text, 6, '0'), title, body, area_id, agency_id, requester_id, status, channel, due_at
    FROM cases, generate_series(1, 201) AS n WHERE title = 'Unik tittel'`.execute(db);
  const many = await kari.get('/cases?scope=mine&title=tittel');
  t.equal(countIn(many.body), 'Mer enn 200 saker', 'counting stops past the cap');
  t.ok(/rel="next" href=/.test(many.body), 'and there is a next page');
});

async function download(client: Client, query: string) {
  const response = await client.get(`/cases/export.xlsx?${query}`);
  const workbook = new ExcelJS.Workbook();
  if (response.statusCode === 200) await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
  return { response, sheet: workbook.worksheets[0] };
}

t.test(
  'the Excel export holds exactly the filtered list, the chosen columns, full titles and no formulas',
  async (t) => {
    const { login, db } = await build(t);
    const longTitle = `Lang tittel ${'x'.repeat(180)} slutt`;
    await existingCase(db, 'ola@demoetaten.no', {
      title: longTitle,
      status: 'closed',
      created: '2025-05-01T08:00:00Z',
    });
    await existingCase(db, 'ola@demoetaten.no', {
      title: '=HYPERLINK("http://evil.example","Klikk")',
      status: 'closed',
      created: '2025-05-02T08:00:00Z',
    });
    await existingCase(db, 'ola@demoetaten.no', {
      title: '@SUM(1+1)',
      status: 'closed',
      created: '2025-05-03T08:00:00Z',
    });
    for (let i = 0; i < 60; i++)
      await existingCase(db, 'ola@demoetaten.no', { title: `Åpen sak ${i}`, created: '2025-04-01T08:00:00Z' });
    await existingCase(db, 'per@testdirektoratet.no', {
      area: 'regnskap',
      title: 'Annen virksomhet',
      status: 'closed',
    });

    const ola = await login('ola@demoetaten.no');
    await ola.get('/cases');
    const saved = await ola.post('/cases/columns', {
      columns: ['title', 'status', 'created'],
      returnTo: '/cases?status=closed',
    });
    t.equal(saved.statusCode, 303);
    t.equal(saved.headers.location, '/cases?status=closed');
    const listPage = await ola.get('/cases?status=closed');
    t.match(text(listPage.body), 'Kolonnevalget er lagret.');
    t.equal(
      (listPage.body.match(/<th scope="col"/g) ?? []).length,
      4,
      'the list shows the chosen columns and the number',
    );
    t.notMatch(text(listPage.body), 'Område Status', 'unchosen columns are gone');
    const unknown = await ola.post('/cases/columns', { columns: ['title', 'password'], returnTo: '/cases' });
    t.equal(unknown.statusCode, 303);
    t.match(text((await ola.get('/cases')).body), 'ukjent kolonne og ble ikke lagret');

    const { response, sheet } = await download(ola, 'scope=mine&status=closed&sort=created&dir=asc');
    t.equal(response.statusCode, 200);
    t.equal(response.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    t.match(String(response.headers['content-disposition']), /^attachment; filename="saker-\d{4}-\d{2}-\d{2}\.xlsx"$/);
    t.same(
      sheet!.getRow(1).values,
      [undefined, 'Saksnummer', 'Tittel', 'Status', 'Opprettet'],
      'a header row with the chosen columns (the number always)',
    );
    assertPrintable(t, sheet!, 'Saker du har sendt inn');
    t.equal(sheet!.rowCount - 1, 3, 'as many rows as the filter matches');
    t.equal(sheet!.getCell('B2').value, longTitle, 'full titles');
    t.equal(sheet!.getCell('B3').value, `'=HYPERLINK("http://evil.example","Klikk")`, 'a formula is neutralised');
    t.equal(sheet!.getCell('B4').value, `'@SUM(1+1)`);
    let formulas = 0;
    sheet!.eachRow((row) => row.eachCell((cell) => void (cell.formula ? formulas++ : 0)));
    t.equal(formulas, 0, 'no cell holds a formula');
    t.ok(sheet!.getCell('D2').value instanceof Date, 'dates are real date cells');
    t.equal((sheet!.getCell('D2').value as Date).toISOString(), '2025-05-01T10:00:00.000Z', 'in Oslo wall-clock time');
    t.equal(sheet!.getCell('C2').value, 'Avsluttet');
    t.same(sheet!.autoFilter, 'A1:D4', 'with an autofilter over the whole table');

    const all = await download(ola, 'scope=mine');
    t.equal(all.sheet!.rowCount - 1, 63, 'every row, not just the first page');
    const tampered = await ola.get('/cases/export.xlsx?sort=1;DROP');
    t.equal(tampered.statusCode, 422);
    t.match(text(tampered.body), 'Filteret i lenken er ugyldig');
    const per = await login('per@testdirektoratet.no');
    const theirs = await download(per, 'scope=agency');
    t.equal(theirs.sheet!.rowCount - 1, 1, 'another agency exports only its own cases');
  },
);

t.test('a list names agencies and areas as they are now: one made a moment ago, one just renamed', async (t) => {
  const { login, db } = await build(t);
  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/work?queue=all')).statusCode, 200, 'the names are in memory now');

  const admin = await login('admin@kundesenter.no');
  await admin.get('/admin/agencies');
  const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const created = await admin.post('/admin/agencies', {
    name: 'Nyetaten',
    org_number: '974760673',
    areas: [String(lonn.id)],
  });
  t.equal(created.statusCode, 303);
  const agencyId = Number(String(created.headers.location).split('/').pop());
  const requester = await db
    .insertInto('users')
    .values({ name: 'Nina Ny', email: 'nina@nyetaten.no' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('agency_members').values({ user_id: requester.id, agency_id: agencyId }).execute();
  await db
    .insertInto('cases')
    .values({
      number: '2026-900001',
      title: 'Første sak for Nyetaten',
      body: 'Beskrivelse',
      area_id: lonn.id,
      agency_id: agencyId,
      requester_id: requester.id,
      status: 'active',
      channel: 'phone',
      created_at: new Date(Date.now() + 60_000),
      due_at: new Date(Date.now() + 86_400_000),
    })
    .execute();
  const row = (body: string) => text(body).match(/2026-900001 Første sak for Nyetaten (\S+)/)?.[1];
  const newest = '/work?queue=all&sort=created&dir=desc';
  t.equal(row((await siri.get(newest)).body), 'Nyetaten', 'an agency made after the names were read is named');

  await admin.get(`/admin/agencies/${agencyId}`);
  const renamed = await admin.post(`/admin/agencies/${agencyId}`, {
    name: 'Omdøpte',
    org_number: '974760673',
    areas: [String(lonn.id)],
  });
  t.equal(renamed.statusCode, 303);
  t.equal(row((await siri.get(newest)).body), 'Omdøpte', 'a renamed agency shows its new name at once');

  // Another process's agency, which this process was never told of: read again when a row names it.
  const elsewhere = await db
    .insertInto('agencies')
    .values({ name: 'Fjernetaten', org_number: '991825827' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('cases').set({ agency_id: elsewhere.id }).where('number', '=', '2026-900001').execute();
  t.equal(row((await siri.get(newest)).body), 'Fjernetaten', 'an agency made by another process is named');
});

t.test('each status has its own colour and always its name, in the list and on the case page', async (t) => {
  const { login, db } = await build(t);
  const statuses = ['active', 'in_progress', 'awaiting_customer', 'postponed', 'closed'];
  for (const status of statuses) await existingCase(db, 'kari@demoetaten.no', { title: `Sak ${status}`, status });
  const kari = await login('kari@demoetaten.no');
  const list = (await kari.get('/cases?scope=mine')).body;
  const tags = [...list.matchAll(/<span class="ds-tag ks-status" data-color="([a-z]+)">([^<]+)<\/span>/g)];
  const colourOf = new Map(tags.map((m) => [m[2], m[1]]));
  t.same(
    [...colourOf.keys()].sort(),
    ['Aktiv', 'Avsluttet', 'Under arbeid', 'Utsatt', 'Venter på kunde'],
    'every status is named in text',
  );
  t.equal(new Set(colourOf.values()).size, statuses.length, 'and no two statuses share a colour');
  const number = caseNumbersIn(list)[0];
  const page = (await kari.get(`/cases/${number}`)).body;
  const shown = /<span class="ds-tag ks-status" data-color="([a-z]+)">([^<]+)<\/span>/.exec(page);
  t.equal(shown?.[1], colourOf.get(shown?.[2] ?? ''), 'the case page uses the same colour as the list');
});
