import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { catalogues, formatNumber, languageFromHeader, translator } from '../src/web/i18n.js';
import { build, text } from './helpers.js';

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, ending) : full.endsWith(ending) ? [full] : [];
  });
}

t.test('both catalogues have exactly the same keys', async (t) => {
  t.same(Object.keys(catalogues.en).sort(), Object.keys(catalogues.nb).sort());
});

t.test('every literal translation key used in views and code exists', async (t) => {
  const sources = [...filesUnder('views', '.eta'), ...filesUnder('src', '.ts')];
  const used = new Set<string>();
  for (const file of sources) {
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/\bt\('([a-zA-Z_.]+)'/g)) used.add(match[1]!);
    for (const match of source.matchAll(
      /'(errors\.[a-z_]+|cases\.errors\.[a-zA-Z]+|cases\.created|cases\.reply\.[a-zA-Z]+|cases\.list\.columns\.[a-zA-Z]+|devIdp\.[a-zA-Z]+)'/g,
    ))
      used.add(match[1]!);
    // Problems name their message as { key: '…' }.
    for (const match of source.matchAll(/\bkey: '([a-zA-Z_]+\.[a-zA-Z_.]+)'/g)) used.add(match[1]!);
  }
  t.ok(used.size > 30, `found ${used.size} keys`);
  // A key ending in "." is a prefix completed at run time ('status.' + status + '.label').
  const missing = [...used].filter((key) =>
    key.endsWith('.') ? !Object.keys(catalogues.nb).some((k) => k.startsWith(key)) : !(key in catalogues.nb),
  );
  t.same(missing, []);
});

t.test('every error page has a title: errors.X comes with errors.XTitle', async (t) => {
  const messages = Object.keys(catalogues.nb).filter(
    (key) => key.startsWith('errors.') && !key.endsWith('Title') && key !== 'errors.backHome',
  );
  t.ok(messages.length > 10);
  t.same(
    messages.filter((key) => !(`${key}Title` in catalogues.nb)),
    [],
    'without a title the error page cannot render and a bare text is sent instead',
  );
});

t.test('Accept-Language picks bokmål by default and English on request', async (t) => {
  t.equal(languageFromHeader(undefined), 'nb');
  t.equal(languageFromHeader('en-US,en;q=0.9'), 'en');
  t.equal(languageFromHeader('nn-NO,en;q=0.5'), 'nb');
  t.equal(languageFromHeader('de-DE,fr;q=0.8'), 'nb');
  t.equal(languageFromHeader('de,en;q=0.3'), 'en');
});

t.test('pages follow Accept-Language, and the language switch is kept for the user', async (t) => {
  const { client, login } = await build(t);
  const english = await client().get('/', { 'accept-language': 'en' });
  t.match(english.body, '<html lang="en">');
  t.match(text(english.body), 'What is your enquiry about?');

  const ola = await login('ola@demoetaten.no');
  t.match(text((await ola.get('/cases')).body), 'Mine saker');
  const switched = await ola.post('/language', { language: 'en', returnTo: '/cases' });
  t.equal(switched.statusCode, 303);
  t.equal(switched.headers.location, '/cases');
  t.match(
    text((await ola.get('/cases', { 'accept-language': 'nb' })).body),
    'My cases',
    'the saved choice beats the header',
  );

  const again = await login('ola@demoetaten.no');
  t.match(text((await again.get('/cases')).body), 'My cases', 'and survives a new login');

  const bad = await ola.post('/language', { language: 'xx', returnTo: '/cases' });
  t.equal(bad.statusCode, 400);
  const offsite = await ola.post('/language', { language: 'nb', returnTo: 'https://evil.example/' });
  t.equal(offsite.headers.location, '/');
});

t.test('Norwegian content on an English page is marked lang="nb"; on a Norwegian page it needs no mark', async (t) => {
  const { client, db } = await build(t);
  const visitor = client();
  const article = await db
    .selectFrom('articles')
    .select(['id', 'title'])
    .where('status', '=', 'published')
    .where('audience', '=', 'public')
    .executeTakeFirstOrThrow();
  const english = (await visitor.get(`/kb/${article.id}`, { 'accept-language': 'en' })).body;
  t.match(english, '<html lang="en">');
  t.match(english, /<h1 class="ds-heading" data-size="lg" lang="nb">/, "the article's title");
  t.match(english, '<article class="ks-article" lang="nb">', 'and its text');
  const search = (await visitor.get('/kb?q=feriepenger', { 'accept-language': 'en' })).body;
  t.match(search, /<a class="ds-link" href="\/kb\/\d+" lang="nb">/, 'search results');
  t.match(search, /<p class="ds-paragraph" data-size="sm" lang="nb">/, 'and their excerpts');
  const home = (await visitor.get('/', { 'accept-language': 'en' })).body;
  t.match(home, /<li><a class="ds-link" href="\/kb\/\d+" lang="nb">/, 'frequently asked questions');
  const norwegian = (await visitor.get(`/kb/${article.id}`, { 'accept-language': 'nb' })).body;
  t.match(norwegian, '<html lang="nb">');
  t.notMatch(norwegian.replace('<html lang="nb">', ''), ' lang="nb"', 'a Norwegian page marks nothing');
});

t.test('placeholders are filled wherever they stand, and a missing value leaves its placeholder', async (t) => {
  const nb = translator('nb');
  t.equal(
    nb('work.serviceLevels', { breached: 3, atRisk: 0 }),
    '3 saker er over fristen, og 0 har under ett døgn igjen.',
  );
  t.equal(
    nb('work.serviceLevels', { breached: '{atRisk}', atRisk: 7 }),
    '{atRisk} saker er over fristen, og 7 har under ett døgn igjen.',
    'a value is never read as a placeholder',
  );
  t.equal(nb('work.serviceLevels', { breached: 1 }), '1 saker er over fristen, og {atRisk} har under ett døgn igjen.');
  t.equal(
    translator('en')('work.serviceLevels', { breached: 2, atRisk: 1 }),
    catalogues.en['work.serviceLevels']!.replace('{breached}', '2').replace('{atRisk}', '1'),
  );
});

t.test('numbers are written as toLocaleString writes them, the second time too', async (t) => {
  const values = [
    0,
    -0,
    7,
    200,
    1234,
    12_345,
    183_456,
    1.5,
    -2500.25,
    1_234_567.891,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ];
  for (const [language, locale] of [
    ['nb', 'nb-NO'],
    ['en', 'en-GB'],
  ] as const)
    for (const value of values)
      for (const time of ['first', 'again'])
        t.equal(formatNumber(language, value), value.toLocaleString(locale), `${locale} ${value} (${time})`);
  t.equal(formatNumber('nb', 12_345), '12\u00a0345', 'bokmål groups with a no-break space');
  t.equal(formatNumber('en', 12_345), '12,345', 'English with a comma');
});
