import t from 'tap';
import { build, enquiry, submitCase, text } from './helpers.js';
import { renderMarkdown } from '../src/kb/markdown.js';
import { xssPayloads } from './fixtures/xss.js';

t.test('Markdown renders to HTML with nothing executable left', async (t) => {
  const html = renderMarkdown(['# Overskrift', '**fet** og [lenke](https://www.dfo.no)', ...xssPayloads].join('\n\n'));
  t.match(html, '<h2>Overskrift</h2>');
  t.match(html, '<strong>fet</strong>');
  t.match(html, '<a href="https://www.dfo.no">lenke</a>');
  t.notMatch(html, /<(script|iframe|img|svg|details|object|embed)\b/i, 'no dangerous elements');
  t.notMatch(html, /<[^>]*\son\w+\s*=/i, 'no event handler attributes');
  t.notMatch(html, /<a\b[^>]*href="\s*(javascript|data|vbscript):/i, 'no script links');
});

t.test('search finds inflected forms, ranks and highlights; filters by area', async (t) => {
  const { client } = await build(t);
  const visitor = client();
  const ferie = await visitor.get('/kb?q=feriepengene');
  t.equal(ferie.statusCode, 200);
  const firstHit = /<ul class="ks-kb-results">\s*<li>\s*<a class="ds-link" href="\/kb\/\d+">([^<]+)<\/a>/.exec(
    ferie.body,
  )?.[1];
  t.equal(firstHit, 'Når utbetales feriepenger?', '"feriepengene" finds "feriepenger", first');
  t.match(ferie.body, '<mark>');
  const excerpts = (body: string) =>
    [...body.matchAll(/<p class="ds-paragraph" data-size="sm">([\s\S]*?)<\/p>/g)].map((m) => m[1] ?? '');
  for (const page of [ferie.body, (await visitor.get('/kb')).body]) {
    const shown = excerpts(page);
    t.ok(shown.length > 0, 'excerpts are shown');
    t.notOk(
      shown.some((e) => /\*\*|\]\(|(^|\s)##? |&lt;/.test(e)),
      'excerpts show what a reader sees, not Markdown or escaped markup',
    );
  }
  t.match(excerpts(ferie.body).join(' '), /<mark>[^<]+<\/mark>/, 'the match is still highlighted');
  t.match(text((await visitor.get('/kb?q=sykemeldingene')).body), 'Refusjon av sykepenger fra NAV');
  const results = (body: string) => text(/<section id="kb-results"[\s\S]*?<\/section>/.exec(body)?.[0] ?? '');
  t.match(results((await visitor.get('/kb?q=feriepenger')).body), 'Når utbetales feriepenger?');
  t.notMatch(
    results((await visitor.get('/kb?q=feriepenger&area=regnskap')).body),
    'Når utbetales feriepenger?',
    'the area filter applies',
  );
  t.match(text((await visitor.get('/kb?q=kvantefysikk')).body), 'Ingen artikler passet med søket.');
  const fragment = await visitor.get('/kb?q=bilag', { 'hx-request': 'true', 'hx-request-type': 'partial' });
  t.match(fragment.body, /^<section id="kb-results"/);
});

t.test('customers never reach internal or draft articles, by URL, search or suggestion', async (t) => {
  const { login, db, client } = await build(t);
  const internal = await db
    .selectFrom('articles')
    .select('id')
    .where('audience', '=', 'internal')
    .executeTakeFirstOrThrow();
  const anne = await login('admin@kundesenter.no');
  await anne.get('/kb/new');
  const draft = await anne.post('/kb', {
    title: 'Utkast om pensjonstrekk',
    body: 'Ikke ferdig ennå om pensjonstrekk.',
    audience: 'public',
    status: 'draft',
  });
  t.equal(draft.statusCode, 303);
  const draftPath = String(draft.headers.location);

  const ola = await login('ola@demoetaten.no');
  for (const who of [ola, client()]) {
    t.equal((await who.get(`/kb/${internal.id}`)).statusCode, 404, 'internal article by URL');
    t.equal((await who.get(draftPath)).statusCode, 404, 'draft by URL');
    t.notMatch(
      text((await who.get('/kb?q=rutine korrigering')).body),
      'Rutine: korrigering',
      'internal article in search',
    );
    t.notMatch(text((await who.get('/kb?q=pensjonstrekk')).body), 'Utkast om pensjonstrekk', 'draft in search');
  }
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const suggestions = await ola.post(
    '/cases/title-check',
    { title: 'Korrigering av feriepenger' },
    { 'hx-request': 'true', 'hx-request-type': 'partial' },
  );
  t.match(text(suggestions.body), 'Når utbetales feriepenger?', 'public articles are suggested');
  t.notMatch(text(suggestions.body), 'Rutine', 'internal ones never');

  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get(`/kb/${internal.id}`)).statusCode, 200, 'caseworkers read internal articles');
  t.equal((await siri.get(draftPath)).statusCode, 404, 'but not drafts');
  t.equal((await anne.get(draftPath)).statusCode, 200, 'editors see drafts');
  t.equal((await ola.get('/kb/new')).statusCode, 403);
  await ola.get('/kb');
  t.equal((await ola.post('/kb', { title: 'x', body: 'y' })).statusCode, 403, 'customers cannot write articles');
  const published = await db
    .selectFrom('articles')
    .select('id')
    .where('audience', '=', 'public')
    .where('status', '=', 'published')
    .executeTakeFirstOrThrow();
  for (const path of [`/kb/${published.id}/edit`, `/kb/${published.id}/revisions`, '/news/new', '/kb/feedback']) {
    t.equal((await ola.get(path)).statusCode, 403, `GET ${path} is for editors`);
  }
  t.equal(
    (await ola.post(`/kb/${published.id}`, { title: 'Endret', body: 'Endret' })).statusCode,
    403,
    'customers cannot edit articles',
  );
  t.equal((await ola.post('/news', { title: 'x', body: 'y' })).statusCode, 403, 'nor write news');
  t.equal(
    (await siri.post(`/kb/${published.id}`, { title: 'Endret', body: 'Endret' })).statusCode,
    403,
    'caseworkers are no editors by default',
  );
  t.equal((await ola.get('/kb/99999999')).statusCode, 404);
});

t.test('editors keep a revision history, relate articles and publish; bad input is refused', async (t) => {
  const { login, db } = await build(t);
  const anne = await login('admin@kundesenter.no');
  await anne.get('/kb/new');
  t.equal((await anne.post('/kb', { title: '', body: 'Tekst' })).statusCode, 422);
  const other = await db
    .selectFrom('articles')
    .select('id')
    .where('title', '=', 'Endre kontonummer for lønn')
    .executeTakeFirstOrThrow();
  const created = await anne.post('/kb', {
    title: 'Skattetrekk i desember',
    body: 'Halv skatt i desember.',
    status: 'published',
    audience: 'public',
    related: String(other.id),
  });
  const path = String(created.headers.location);
  await anne.get(`${path}/edit`);
  await anne.post(path, {
    title: 'Skattetrekk i november og desember',
    body: 'Halv skatt i desember, full i november.',
    status: 'published',
    audience: 'public',
    related: String(other.id),
  });
  const revisions = text((await anne.get(`${path}/revisions`)).body);
  t.match(revisions, 'Skattetrekk i desember');
  t.match(revisions, 'Skattetrekk i november og desember');
  t.match(revisions, 'Anne Administrator');
  const page = text((await anne.get(path)).body);
  t.match(page, 'Relaterte artikler Endre kontonummer for lønn');
});

t.test('page feedback is anonymous and counted per article', async (t) => {
  const { login, db, client } = await build(t);
  const article = await db
    .selectFrom('articles')
    .select('id')
    .where('title', '=', 'Når utbetales feriepenger?')
    .executeTakeFirstOrThrow();
  const visitor = client();
  await visitor.get(`/kb/${article.id}`);
  t.equal(
    (
      await visitor.post('/feedback', {
        article: String(article.id),
        page: `/kb/${article.id}`,
        helpful: 'yes',
        comment: 'ignored on yes',
      })
    ).statusCode,
    303,
  );
  const ola = await login('ola@demoetaten.no');
  await ola.get(`/kb/${article.id}`);
  const no = await ola.post('/feedback', {
    article: String(article.id),
    page: `/kb/${article.id}`,
    helpful: 'no',
    comment: 'Mangler info om deltid',
  });
  t.equal(no.headers.location, `/kb/${article.id}`);
  t.match(text((await ola.get(`/kb/${article.id}`)).body), 'Takk for tilbakemeldingen!');
  t.equal((await ola.post('/feedback', { page: 'https://evil.example', helpful: 'maybe' })).statusCode, 400);
  const rows = await db.selectFrom('page_feedback').select(['helpful', 'comment']).orderBy('id').execute();
  t.same(
    rows,
    [
      { helpful: true, comment: null },
      { helpful: false, comment: 'Mangler info om deltid' },
    ],
    'no user, no session, a comment only with "no"',
  );
  const anne = await login('admin@kundesenter.no');
  t.match(text((await anne.get('/kb/feedback')).body), 'Når utbetales feriepenger? 1 1');
  t.equal((await ola.get('/kb/feedback')).statusCode, 403);
});

t.test('"Fant du det du lette etter?" everywhere; editors read the comments and mark them handled', async (t) => {
  const { login, client, db } = await build(t);
  const visitor = client();
  for (const path of ['/', '/kb', '/news', '/contact']) {
    const page = await visitor.get(path);
    t.match(page.body, `<input type="hidden" name="page" value="${path}">`, `asked on ${path}`);
  }
  const kari = await login('kari@demoetaten.no');
  const area = await kari.get('/cases/new?area=lonn');
  t.match(area.body, 'name="page" value="/cases/new?area=lonn"', "and on an area's page");

  await visitor.post('/feedback', { page: '/', helpful: 'no', comment: 'Fant ikke <b>skjema</b> for reiseregning' });
  await visitor.post('/feedback', { page: '/contact', helpful: 'no', comment: 'Telefonnummeret\nvirket ikke' });
  await visitor.post('/feedback', { page: '/news', helpful: 'yes' });

  const anne = await login('admin@kundesenter.no');
  const open = await anne.get('/kb/feedback');
  const shown = text(open.body);
  t.match(shown, 'Kommentarer som ikke er behandlet Det lesere skrev');
  t.match(open.body, 'Fant ikke &lt;b&gt;skjema&lt;/b&gt; for reiseregning', 'the comment, escaped as text');
  t.notMatch(open.body, '<b>skjema</b>', 'never as markup');
  t.match(open.body, /<a class="ds-link" href="\/contact">\/contact<\/a>/, 'with the page it came from');
  t.match(text(open.body), 'Viser 1–2 av 2', 'only answers with a comment');

  const id = (await db.selectFrom('page_feedback').select('id').where('page', '=', '/').executeTakeFirstOrThrow()).id;
  const ola = await login('ola@demoetaten.no');
  await ola.get('/kb');
  t.equal((await ola.post(`/kb/feedback/${id}/handled`, {})).statusCode, 403, 'a customer cannot touch them');
  t.equal((await ola.get('/kb/feedback')).statusCode, 403, 'nor read them');
  t.equal((await visitor.get('/kb/feedback')).statusCode, 303, 'anonymous: asked to log in');

  t.equal((await anne.post(`/kb/feedback/${id}/handled`, {})).statusCode, 303);
  t.equal((await anne.post(`/kb/feedback/${id}/handled`, {})).statusCode, 404, 'handled once');
  t.notMatch(text((await anne.get('/kb/feedback')).body), 'reiseregning', 'gone from the open comments');
  const handled = text((await anne.get('/kb/feedback?handled=1')).body);
  t.match(handled, 'Fant ikke &lt;b&gt;skjema&lt;/b&gt; for reiseregning');
  t.match(handled, 'Anne Administrator', 'with who handled it');
  const stored = await db.selectFrom('page_feedback').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  t.notOk('user_id' in stored || 'session_id' in stored, 'still nothing about who wrote it');
});

t.test('feedback is rate-limited for anonymous visitors', async (t) => {
  const { client } = await build(t);
  const visitor = client();
  await visitor.get('/');
  const codes: number[] = [];
  for (let i = 0; i < 12; i++) codes.push((await visitor.post('/feedback', { page: '/', helpful: 'yes' })).statusCode);
  t.ok(
    codes.slice(0, 10).every((c) => c === 303),
    'ten answers a minute are taken',
  );
  t.equal(codes.at(-1), 429, 'then the visitor is asked to wait');
});

t.test('news shows within its window; the archive keeps what has been shown', async (t) => {
  const { login, db, client } = await build(t);
  const hour = 3_600_000;
  await db
    .insertInto('news')
    .values([
      { title: 'Kommer senere', body: 'Framtidig', visible_from: new Date(Date.now() + 24 * hour) },
      {
        title: 'Utløpt melding',
        body: 'Gammel',
        visible_from: new Date(Date.now() - 48 * hour),
        visible_until: new Date(Date.now() - 24 * hour),
      },
      { title: 'Aktiv melding', body: 'Nå', severity: 'critical', visible_from: new Date(Date.now() - hour) },
    ])
    .execute();
  const home = text((await client().get('/')).body);
  t.match(home, 'Aktiv melding');
  t.match(home, 'Forsinket lønnskjøring i desember');
  t.notMatch(home, 'Kommer senere');
  t.notMatch(home, 'Utløpt melding');
  const archive = text((await client().get('/news')).body);
  t.match(archive, 'Utløpt melding');
  t.notMatch(archive, 'Kommer senere');
  const anne = await login('admin@kundesenter.no');
  await anne.get('/news/new');
  t.equal(
    (
      await anne.post('/news', {
        title: 'Feil',
        body: 'x',
        visible_from: '2026-12-01T10:00',
        visible_until: '2026-11-01T10:00',
      })
    ).statusCode,
    422,
  );
  t.equal(
    (
      await anne.post('/news', {
        title: 'Planlagt vedlikehold',
        body: 'Lørdag kveld.',
        severity: 'warning',
        visible_from: '',
        visible_until: '',
      })
    ).statusCode,
    303,
  );
  t.match(text((await client().get('/')).body), 'Planlagt vedlikehold');
});

t.test('a suggestion opened from the new-case form counts as deflected unless a case follows', async (t) => {
  const { login, db } = await build(t);
  const article = await db
    .selectFrom('articles')
    .select('id')
    .where('title', '=', 'Når utbetales feriepenger?')
    .executeTakeFirstOrThrow();
  const ola = await login('ola@demoetaten.no');
  // The suggestion beside the new-case form opens the article through a post, never a write on a GET.
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const opened = await ola.post(`/kb/${article.id}/deflections`, {});
  t.equal(opened.statusCode, 303);
  t.equal(opened.headers.location, `/kb/${article.id}`);
  t.equal((await ola.get(`/kb/${article.id}?from=new-case`)).statusCode, 200);
  t.equal(
    await db
      .selectFrom('deflections')
      .select('id')
      .execute()
      .then((rows) => rows.length),
    1,
    'reading records nothing',
  );
  t.same(await db.selectFrom('deflections').select('converted').execute(), [{ converted: false }]);
  await submitCase(ola, enquiry('lonn', 'Likevel en sak', 'Tekst'));
  t.same(
    await db.selectFrom('deflections').select('converted').execute(),
    [{ converted: true }],
    'the case was sent anyway',
  );
});

t.test('caseworkers insert an article link into an answer', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const path = String((await submitCase(ola, enquiry('lonn', 'Feriepenger mangler', 'Hvor er de?'))).headers.location);
  const siri = await login('siri@kundesenter.no');
  const page = await siri.get(path);
  t.match(text(page.body), 'Artikler som kan hjelpe i svaret');
  const article = await db
    .selectFrom('articles')
    .select('id')
    .where('title', '=', 'Når utbetales feriepenger?')
    .executeTakeFirstOrThrow();
  t.match(page.body, `data-insert-link="Når utbetales feriepenger?: http://127.0.0.1:3000/kb/${article.id}"`);
  const withLink = await siri.get(`${path}?article=${article.id}`);
  t.match(
    withLink.body,
    `>Når utbetales feriepenger?: http://127.0.0.1:3000/kb/${article.id}</textarea>`,
    'without JavaScript the link lands in the reply box',
  );
  t.notMatch(text((await ola.get(path)).body), 'Sett inn lenke', 'customers are not offered it');
  t.equal((await ola.get(`${path}?article=${article.id}`)).statusCode, 404);
});

t.test('admins grant the editor role; an editor writes articles and news', async (t) => {
  const { login } = await build(t);
  const anne = await login('admin@kundesenter.no');
  await anne.get('/admin/editors');
  const unknown = await anne.post('/admin/editors', { email: 'ingen@example.no' });
  t.equal(unknown.statusCode, 422);
  t.match(text(unknown.body), 'Fant ingen aktiv bruker med den e-postadressen.');
  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/kb/new')).statusCode, 403, 'a caseworker is no editor by default');
  t.equal((await anne.post('/admin/editors', { email: 'Siri@Kundesenter.no' })).statusCode, 303);
  const again = await login('siri@kundesenter.no');
  t.equal((await again.get('/kb/new')).statusCode, 200, 'now she is');
  t.equal(
    (await again.post('/kb', { title: 'Ny rutine', body: 'Tekst', status: 'published', audience: 'internal' }))
      .statusCode,
    303,
  );
  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/admin/editors')).statusCode, 403);
  t.match(
    text((await ola.get('/cases/new?area=regnskap')).body),
    'Generell henvendelse',
    'an area page still opens its form',
  );
  t.match(
    text((await ola.get('/cases/new?area=lonn')).body),
    'Ofte stilte spørsmål Lønn Når utbetales feriepenger?',
    'the area page shows its FAQ',
  );
});
