import t, { type Test } from 'tap';
import type { Browser, Page } from 'playwright-core';
import { build, enquiry } from './helpers.js';
import { accessibilityViolations, browserTestOptions, launch } from './browser.js';
import { xssPayloads } from './fixtures/xss.js';
import { createCaseFromMail } from '../src/cases/service.js';

let browser: Browser | undefined;
t.before(async () => {
  if (!browserTestOptions.skip) browser = await launch();
});
t.teardown(async () => browser?.close());

// axe-core runs inside the page, so it cannot run where JavaScript is off; the server sends the same
// markup either way, and the JavaScript journey checks every one of these pages.
const withoutScript = new WeakSet<Page>();
async function checkPage(t: Test, page: Page, label: string) {
  if (withoutScript.has(page)) return;
  t.same(await accessibilityViolations(page), [], `${label}: no WCAG 2.1 A/AA violations`);
}

/** A page in a browser context of its own (closed with the test), collecting script errors. */
async function openPage(t: Test) {
  const context = await browser!.newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return { page, pageErrors };
}

async function logIn(t: Test, page: Page, email: string, { check }: { check: boolean }) {
  await page.getByRole('link', { name: 'Logg inn' }).first().click();
  await page.getByLabel('E-post').waitFor();
  if (check) await checkPage(t, page, 'identity provider login page');
  await page.getByLabel('E-post').fill(email);
  await page.getByRole('button', { name: 'Logg inn' }).click();
  await page.waitForURL(/\/cases|\/work/);
}

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'with JavaScript (htmx)' : 'without JavaScript';

  t.test(
    `customer journey ${mode}: log in, submit with a mistake, fix it, see the case, log out`,
    browserTestOptions,
    async (t) => {
      const { baseUrl } = await build(t, { listen: true });
      const context = await browser!.newContext({ javaScriptEnabled, locale: 'nb-NO' });
      t.teardown(() => context.close());
      context.setDefaultTimeout(15_000);
      const page = await context.newPage();
      if (!javaScriptEnabled) withoutScript.add(page);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        // Chromium logs every 4xx answer (our 422 and 404 pages) as a console error; those are expected.
        if (
          message.type() === 'error' &&
          !message.text().startsWith('Failed to load resource: the server responded with a status of 4')
        ) {
          pageErrors.push(message.text());
        }
      });

      await page.goto(`${baseUrl}/`);
      await t.resolves(page.getByRole('heading', { name: 'Hva gjelder henvendelsen?' }).waitFor());
      await checkPage(t, page, 'home, signed out');

      await logIn(t, page, 'kari@demoetaten.no', { check: javaScriptEnabled });
      t.match(page.url(), /\/cases$/);
      await checkPage(t, page, 'empty case list');

      if (javaScriptEnabled) await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
      await page.getByRole('link', { name: 'Ny sak' }).first().click();
      await page.getByRole('heading', { name: 'Ny sak' }).waitFor();
      if (javaScriptEnabled) {
        t.equal(
          await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
          42,
          'hx-boost swapped the page without a reload',
        );
        t.equal(
          await page.evaluate(() => typeof (globalThis as unknown as { htmx?: unknown }).htmx),
          'object',
          'htmx loaded from our origin',
        );
      }
      await checkPage(t, page, 'form catalogue');
      t.ok(
        await page.getByRole('link', { name: 'Bestilling av tilgang' }).isVisible(),
        'an authorised orderer is offered the access order',
      );
      await page.getByRole('link', { name: 'Generell henvendelse' }).first().click();
      await page.getByRole('heading', { name: 'Generell henvendelse' }).waitFor();
      await checkPage(t, page, 'new case form');

      const system = page.getByLabel('Hvilket system eller hvilken rapport?');
      if (javaScriptEnabled) {
        t.notOk(await system.isVisible(), 'a conditional field is hidden until its condition holds');
        await page.getByLabel('Feil eller avvik').check();
        await system.waitFor();
        t.pass('choosing "Feil eller avvik" shows the field that depends on it');
        await page.getByLabel('Tittel').fill('Feil i lønn for 13097248022');
        await page.getByText('Tittelen ser ut til å inneholde et fødselsnummer').waitFor();
        t.pass('a national identity number in the title is flagged while typing');
      } else {
        t.ok(await system.isVisible(), 'without JavaScript a conditional field shows, with a note on when it applies');
        t.ok(await page.getByText('Fylles ut når «Hva gjelder det?» er Feil eller avvik.').isVisible());
        await page.getByLabel('Feil eller avvik').check();
        await page.getByLabel('Tittel').fill('Feil i lønn for 13097248022');
      }
      await page.getByRole('button', { name: 'Send inn saken' }).click();
      await page.getByText('Rett opp dette før du sender inn:').waitFor();
      t.equal(await page.getByLabel('Tittel').inputValue(), 'Feil i lønn for 13097248022', 'what was typed is kept');
      t.ok(
        await page.getByRole('link', { name: /Tittelen inneholder et fødselsnummer/ }).isVisible(),
        'the number is refused on submit, with an explanation',
      );
      t.ok(await page.getByRole('link', { name: 'Skriv en beskrivelse av saken.' }).isVisible());
      await checkPage(t, page, 'new case form with errors');

      await page.getByLabel('Tittel').fill('Refusjon av sykepenger');
      await page.getByLabel('Spørsmål').check();
      await page.getByLabel('Beskrivelse').fill('Vi mangler refusjon for mars for 13097248022.');
      await page.getByRole('button', { name: 'Send inn saken' }).click();
      await page.getByText('Saken er registrert').waitFor();
      const year = new Date().getFullYear();
      t.match(page.url(), new RegExp(`/cases/${year}-000001$`));
      t.ok(await page.getByRole('heading', { name: /Refusjon av sykepenger/ }).isVisible());
      await checkPage(t, page, 'case page');

      await page.getByRole('link', { name: 'Mine saker' }).first().click();
      await page.getByRole('link', { name: `${year}-000001` }).waitFor();
      await checkPage(t, page, 'case list with a case');

      await page.getByRole('button', { name: 'English' }).click();
      await page.getByRole('heading', { name: 'My cases' }).waitFor();
      await checkPage(t, page, 'case list in English');
      await page.getByRole('button', { name: 'Norsk (bokmål)' }).click();
      await page.getByRole('heading', { name: 'Mine saker' }).waitFor();

      await page.getByRole('button', { name: 'Logg ut' }).click();
      await page.getByRole('button', { name: 'Logg ut' }).click(); // the identity provider asks once more
      await page.getByRole('heading', { name: 'Hva gjelder henvendelsen?' }).waitFor();
      t.ok(await page.getByRole('link', { name: 'Logg inn' }).first().isVisible(), 'signed out');
      await page.goto(`${baseUrl}/cases`);
      await page.getByLabel('E-post').waitFor();
      t.pass('after logout, the case list asks for a new login');
      t.same(pageErrors, [], 'no script errors on any page');
    },
  );
}

t.test('caseworker sees the case in the workspace; error pages are accessible too', browserTestOptions, async (t) => {
  const { baseUrl, login, db, config } = await build(t, { listen: true });
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=regnskap&form=henvendelse');
  await ola.post('/cases', enquiry('regnskap', 'Faktura i feil periode', 'Bokført i april, skulle vært mars.'));
  const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  await createCaseFromMail(
    db,
    { address: 'lise@demoetaten.no' },
    {
      areaId: lonn.id,
      title: 'Feil i lønn for november',
      body: 'Hei, lønnen er feil.',
      files: [],
      acknowledge: true,
      inboundId: 0,
    },
    { publicUrl: config.publicUrl, language: 'nb' },
  );

  const context = await browser!.newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await logIn(t, page, 'siri@kundesenter.no', { check: false });
  t.match(page.url(), /\/work$/);
  await page.getByRole('cell', { name: 'Faktura i feil periode' }).waitFor();
  await checkPage(t, page, 'workspace');

  await page.getByRole('link', { name: /Ufordelt i mine grupper/ }).click();
  await page.getByRole('cell', { name: 'Faktura i feil periode' }).waitFor();
  await page.getByRole('link', { name: /\d{4}-000001/ }).click();
  await page.getByRole('heading', { name: /Faktura i feil periode/ }).waitFor();
  await checkPage(t, page, 'case page for a caseworker');
  await page.getByRole('button', { name: 'Ta saken' }).click();
  await page.getByText('Tildelingen er lagret.').waitFor();
  await page.getByRole('textbox', { name: 'Melding' }).fill('Kan du sende oss fakturaen?');
  await page.getByLabel('Status etter lagring').selectOption('awaiting_customer');
  await page.getByRole('button', { name: 'Lagre', exact: true }).click();
  await page.getByText('Svaret er lagret, og kunden får beskjed på e-post.').waitFor();
  t.ok(await page.getByText('Venter på kunde').first().isVisible(), 'the status changed');
  await page.getByRole('link', { name: 'Arbeidsflate' }).first().click();
  await page.getByRole('link', { name: /Venter på kunde/ }).click();
  await page.getByRole('cell', { name: 'Faktura i feil periode' }).waitFor();
  t.ok(await page.getByRole('cell', { name: 'Stoppet' }).isVisible(), 'its clock is shown as stopped');
  await checkPage(t, page, 'queue of cases waiting for the customer');

  await page.locator('h1').click();
  await page.keyboard.press('?');
  await page.getByRole('heading', { name: 'Hurtigtaster' }).waitFor();
  await checkPage(t, page, 'keyboard shortcuts');
  await page.locator('h1').click();
  await page.keyboard.press('g');
  await page.keyboard.press('n');
  await page.getByRole('heading', { name: 'Registrer sak for kunde' }).waitFor();
  await page.getByRole('link', { name: 'Telefon: tilgang til lønnssystemet' }).click();
  // The template link loads the same page again: search only once the template's page is there, or
  // the search typed into the page before it is swapped away (seen on a loaded machine).
  await page.waitForURL(/template=\d+/);
  await page.locator('#title:not([value=""])').waitFor();
  await page.getByLabel('Søk etter navn eller e-post').fill('ola@');
  await page.getByLabel(/Ola Nordmann/).check();
  await checkPage(t, page, 'register a case from a template');
  await page.getByRole('button', { name: 'Registrer saken' }).click();
  await page.getByText(/er registrert for kunden/).waitFor();
  t.ok(
    await page.getByRole('heading', { name: /Tilgang til lønnssystemet/ }).isVisible(),
    'a phone case in a few keystrokes',
  );

  await page.getByRole('link', { name: 'Arbeidsflate' }).first().click();
  await page.getByRole('link', { name: /Ukjent avsender/ }).click();
  await page
    .getByRole('link', { name: /\d{4}-\d{6}/ })
    .first()
    .click();
  await page.getByRole('heading', { name: 'Koble saken til en kunde' }).waitFor();
  await checkPage(t, page, 'case from an unknown sender, with the customer search');
  await page.getByLabel(/Ola Nordmann \(ola@demoetaten.no\)/).check();
  await page.getByRole('button', { name: 'Koble saken til kunden' }).click();
  await page.getByText('Saken er koblet til kunden, og kunden har fått kvittering.').waitFor();
  t.ok(
    await page.getByText('Saken ble koblet til kunden av Siri Saksbehandler').isVisible(),
    'linked to the customer picked',
  );

  await context.clearCookies();
  await page.goto(`${baseUrl}/`);
  await logIn(t, page, 'admin@kundesenter.no', { check: false });
  await page.goto(`${baseUrl}/admin/service-levels`);
  await page.getByRole('heading', { name: 'Tjenestenivå' }).waitFor();
  await checkPage(t, page, 'service-level settings');
  for (const [path, heading] of [
    ['/admin/editors', 'Redaktører'],
    ['/kb/new', 'Ny artikkel'],
    ['/news/new', 'Ny driftsmelding'],
    ['/news', 'Alle driftsmeldinger'],
    ['/kb/feedback', 'Tilbakemeldinger på artikler'],
    ['/work/mail', 'Innkommende e-post'],
    ['/admin/audit', 'Logg'],
    ['/admin/users?q=nordmann', 'Brukere og roller'],
    ['/admin/agencies', 'Virksomheter'],
    ['/admin/areas', 'Områder og skjemaer'],
    ['/admin/templates', 'Maler'],
  ]) {
    await page.goto(baseUrl + path!);
    await page.getByRole('heading', { name: heading!, level: 1 }).waitFor();
    await checkPage(t, page, path!);
  }
  await page.goto(`${baseUrl}/admin/users?q=ola`);
  await page.getByRole('link', { name: 'Ola Nordmann' }).click();
  await page.getByRole('heading', { name: 'Ola Nordmann', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Gi rollen' }).click();
  await page.getByRole('heading', { name: 'Rett opp dette før du sender inn:' }).first().waitFor();
  await checkPage(t, page, "a user's roles, with a refused grant");
  await page.goto(`${baseUrl}/admin/agencies`);
  await page.getByRole('link', { name: 'Demoetaten' }).click();
  await page.getByRole('heading', { name: 'Demoetaten', level: 1 }).waitFor();
  await page.getByLabel('Nytt domene (for eksempel etaten.no)').fill('ikke et domene');
  await page.getByRole('button', { name: 'Legg til domene' }).click();
  await page.getByText('Skriv et domene som etaten.no').first().waitFor();
  await checkPage(t, page, 'an agency, with a refused domain');
  await page.goto(`${baseUrl}/admin/areas`);
  await page.getByRole('link', { name: 'Lønn' }).click();
  await page.getByRole('heading', { name: 'Lønn', level: 1 }).waitFor();
  await checkPage(t, page, 'an area with its forms, categories, groups and routing');
  await page.getByRole('link', { name: 'Generell henvendelse' }).click();
  await page.getByLabel('Felter (JSON)').fill('[{');
  await page.getByRole('button', { name: 'Lagre' }).click();
  await page.getByText('Feltene er ikke gyldig JSON').first().waitFor();
  await checkPage(t, page, 'a form, with refused fields');
  const article = await page.goto(`${baseUrl}/kb`);
  t.equal(article?.status(), 200);
  await page.getByRole('link', { name: 'Når utbetales feriepenger?' }).first().click();
  await page.getByRole('link', { name: 'Versjonshistorikk' }).click();
  await page.getByRole('heading', { name: 'Versjonshistorikk' }).waitFor();
  await checkPage(t, page, 'article revisions');

  await page.goto(`${baseUrl}/dev/mail`);
  await page
    .getByText('Vi har mottatt saken din')
    .first()
    .waitFor({ state: 'attached' })
    .catch(() => {});
  await checkPage(t, page, 'development mail page');

  const missing = await page.goto(`${baseUrl}/cases/2099-000001`);
  t.equal(missing?.status(), 404);
  await checkPage(t, page, '404 page');
});

t.test(
  'case list: filters and sorting update the table in place; the case page takes a reply with a file',
  browserTestOptions,
  async (t) => {
    const { baseUrl, login } = await build(t, { listen: true });
    const ola = await login('ola@demoetaten.no');
    for (const [title, body] of [
      ['Avvik i lønnsslipp', 'Slippen viser feil trinn.'],
      ['Bilag til refusjon', 'Refusjonen mangler.'],
      ['Spørsmål om feriepenger', 'Når utbetales de?'],
    ]) {
      await ola.get('/cases/new?area=lonn&form=henvendelse');
      await ola.post('/cases', enquiry('lonn', title!, body!));
    }

    const { page, pageErrors } = await openPage(t);
    await page.goto(`${baseUrl}/`);
    await logIn(t, page, 'kari@demoetaten.no', { check: false });
    await page.getByRole('cell', { name: 'Avvik i lønnsslipp' }).waitFor();
    t.ok(await page.getByLabel('Hele virksomheten').isChecked(), 'a professional user starts with the whole agency');
    await checkPage(t, page, 'case list of a professional user');

    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));
    await page.getByText('Filtrer på kolonner').click();
    await page.getByLabel('Tittel inneholder').fill('bilag');
    await page.getByRole('button', { name: 'Vis saker' }).click();
    await page.getByRole('cell', { name: 'Avvik i lønnsslipp' }).waitFor({ state: 'detached' });
    t.ok(await page.getByRole('cell', { name: 'Bilag til refusjon' }).isVisible(), 'the filtered table is shown');
    t.match(page.url(), /title=bilag/, 'the filter is in the address, so the view can be bookmarked');
    t.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      7,
      'updated in place, without a page load',
    );
    await checkPage(t, page, 'filtered case list');

    await page.getByRole('link', { name: 'Nullstill' }).click();
    await page.getByRole('cell', { name: 'Avvik i lønnsslipp' }).waitFor();
    await page.getByRole('link', { name: /^Tittel/ }).click();
    await page.locator('th[aria-sort="ascending"]').waitFor();
    const titles = await page.locator('#case-list tbody tr td:nth-child(2)').allTextContents();
    t.same(
      titles.map((s) => s.trim()),
      ['Avvik i lønnsslipp', 'Bilag til refusjon', 'Spørsmål om feriepenger'],
      'sorted by title',
    );
    await checkPage(t, page, 'sorted case list');

    await page.getByRole('link', { name: /\d{4}-000002/ }).click();
    await page.getByRole('heading', { name: /Bilag til refusjon/ }).waitFor();
    await page.getByRole('textbox', { name: 'Melding' }).fill('Her er dokumentasjonen.');
    await page.getByLabel('Vedlegg').setInputFiles({
      name: 'dokumentasjon.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n%%EOF\n'),
    });
    await page.getByRole('button', { name: 'Send melding' }).click();
    await page.getByText('Meldingen er sendt.').waitFor();
    t.ok(await page.getByText('Her er dokumentasjonen.').isVisible(), 'the reply is in the timeline');
    t.ok(await page.getByRole('link', { name: 'dokumentasjon.pdf' }).isVisible(), 'with its file');
    await checkPage(t, page, 'case page after a reply');
    await page.getByRole('link', { name: 'Min side' }).click();
    await page.getByRole('heading', { name: 'Min side', level: 1 }).waitFor();
    await page.getByText('Lønnskontakt (1)').click();
    await page.getByRole('link', { name: 'kari@demoetaten.no' }).waitFor();
    await checkPage(t, page, 'Min side, with a contact group open');
    await page.getByRole('link', { name: 'Fellespostkasser' }).click();
    await page.getByRole('heading', { name: 'Fellespostkasser', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Opprett' }).click();
    await page.getByText('Skriv et navn på 2–200 tegn').first().waitFor();
    await checkPage(t, page, 'shared mailboxes, with a refused new mailbox');
    await page.getByRole('link', { name: 'Min side' }).click();
    await page.getByRole('link', { name: 'Innsyn i lesing' }).click();
    await page.getByRole('heading', { name: 'Hvem ved kundesenteret har lest sakene våre' }).waitFor();
    await checkPage(t, page, "who at the centre read the agency's cases");
    await page.getByRole('link', { name: 'Min side' }).click();
    await page.getByRole('link', { name: 'Autoriserte bestillere' }).click();
    await page.getByRole('heading', { name: 'Autoriserte bestillere', level: 1 }).waitFor();
    await checkPage(t, page, 'authorised orderers, with the appoint form');
    t.same(pageErrors, [], 'no script errors');
  },
);

t.test(
  "self-registration: a newcomer on an open agency's domain chooses the agency; the page passes axe",
  browserTestOptions,
  async (t) => {
    const { baseUrl, db } = await build(t, { listen: true });
    await db.updateTable('agencies').set({ self_registration: true }).execute();
    const context = await browser!.newContext({ locale: 'nb-NO' });
    t.teardown(() => context.close());
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/`);
    await page.getByRole('link', { name: 'Logg inn' }).first().click();
    await page.getByLabel('E-post').fill('nina@demoetaten.no');
    await page.getByRole('button', { name: 'Logg inn' }).click();
    await page.getByRole('heading', { name: 'Registrer deg som bruker', level: 1 }).waitFor();
    await checkPage(t, page, 'self-registration');
    await page.getByLabel('Virksomhet').selectOption({ label: 'Testdirektoratet (910000002)' });
    await page.getByRole('button', { name: 'Registrer meg' }).click();
    await page.getByText('hører ikke til virksomheten du valgte').first().waitFor();
    await checkPage(t, page, 'self-registration with a refused agency');
    await page.getByLabel('Virksomhet').selectOption({ label: 'Demoetaten (910000001)' });
    await page.getByRole('button', { name: 'Registrer meg' }).click();
    await page.getByText('Du er registrert').waitFor();
    t.match(page.url(), /\/cases$/);
  },
);

t.test(
  'knowledge base: XSS payloads stay inert, suggestions appear while typing, pages pass axe',
  browserTestOptions,
  async (t) => {
    const { baseUrl, db } = await build(t, { listen: true });
    const evil = await db
      .insertInto('articles')
      .values({
        title: 'Angrepsforsøk <script>alert(1)</script>',
        body: xssPayloads.join('\n\n'),
        status: 'published',
        audience: 'public',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const context = await browser!.newContext({ locale: 'nb-NO' });
    t.teardown(() => context.close());
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${baseUrl}/kb/${evil.id}`);
    await page.getByRole('heading', { name: /Angrepsforsøk/ }).waitFor();
    for (const link of await page.getByRole('link', { name: 'klikk' }).all())
      await link.click({ timeout: 2000 }).catch(() => {});
    await page.goto(`${baseUrl}/kb?q=angrepsforsøk`);
    await page.waitForTimeout(500);
    t.same(dialogs, [], 'no payload ran');

    await page.goto(`${baseUrl}/kb`);
    await checkPage(t, page, 'knowledge base');
    await page.getByRole('searchbox', { name: 'Søk i kunnskapsbasen' }).fill('feriepengene');
    await page.getByRole('button', { name: 'Søk' }).click();
    await page.getByRole('heading', { name: 'Treff for «feriepengene»' }).waitFor();
    await page.waitForURL(/q=feriepengene/);
    t.pass('the results are swapped in and the search is in the address');
    await page.getByRole('link', { name: 'Når utbetales feriepenger?' }).first().click();
    await page.getByRole('heading', { name: 'Når utbetales feriepenger?' }).waitFor();
    await checkPage(t, page, 'article');

    await logIn(t, page, 'ola@demoetaten.no', { check: false });
    await page.goto(`${baseUrl}/cases/new?area=lonn&form=henvendelse`);
    await page.getByLabel('Tittel').fill('Feriepenger mangler');
    await page.getByText('Kanskje en av disse artiklene svarer på spørsmålet ditt:').waitFor();
    t.ok(
      await page.getByRole('link', { name: 'Når utbetales feriepenger?' }).isVisible(),
      'a matching article is suggested beside the form',
    );
    await checkPage(t, page, 'new case form with suggestions');
  },
);

t.test(
  'reports: the dashboard updates in place when a filter changes; dashboard, errors, subscriptions and the agency report pass axe',
  browserTestOptions,
  async (t) => {
    const { baseUrl, db } = await build(t, { listen: true });
    const { caseAt } = await import('./fixtures/report-cases.js');
    const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date());
    await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'ola@demoetaten.no',
      area: 'lonn',
      channel: 'web',
      status: 'active',
      created: `${today} 00:01`,
      due: `${today} 23:00`,
    });
    await caseAt(db, {
      agency: 'Testdirektoratet',
      requester: 'per@testdirektoratet.no',
      area: 'regnskap',
      channel: 'phone',
      status: 'in_progress',
      created: `${today} 00:02`,
      due: `${today} 23:00`,
    });
    const { page, pageErrors } = await openPage(t);

    await page.goto(`${baseUrl}/`);
    await logIn(t, page, 'siri@kundesenter.no', { check: false });
    await page.getByRole('link', { name: 'Rapporter' }).click();
    await page.getByRole('heading', { name: 'Rapporter og nøkkeltall', level: 1 }).waitFor();
    const received = page.locator('[data-kpi="received"] .ks-kpi__value');
    t.equal(await received.textContent(), '2');
    t.ok(
      await page.getByRole('img', { name: /Innkomne saker per dag og kanal/ }).isVisible(),
      'the chart is an image named by its title',
    );
    await checkPage(t, page, 'dashboard');

    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));
    await page.getByLabel('Område').selectOption('regnskap');
    await page.waitForURL(/area=regnskap/);
    await page.locator('[data-kpi="received"] .ks-kpi__value', { hasText: '1' }).waitFor();
    t.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      7,
      'the report was swapped in place, without a reload',
    );
    t.equal(
      await page.getByLabel('Område').evaluate((select) => (select as unknown as { value: string }).value),
      'regnskap',
      'the filter form kept its state',
    );
    await checkPage(t, page, 'dashboard filtered by area');

    await page.getByLabel('Til dato').fill('2020-01-01');
    await page.getByLabel('Til dato').dispatchEvent('change');
    await page.getByText('Til-datoen må være lik eller etter fra-datoen').waitFor();
    await checkPage(t, page, 'dashboard with an inverted period');

    await page.goto(`${baseUrl}/reports`);
    await page.locator('[data-kpi="open"] a').click();
    await page.getByRole('heading', { name: 'Arbeidsflate' }).waitFor();
    t.equal(
      await page.getByRole('link', { name: /^\d{4}-9\d{5}$/ }).count(),
      2,
      'the open figure leads to its two cases',
    );

    await page.goto(`${baseUrl}/reports`);
    await page.getByRole('button', { name: 'Abonner' }).click();
    await page.getByText('Abonnementet er opprettet.').waitFor();
    await checkPage(t, page, 'report subscriptions');

    const { page: perPage } = await openPage(t);
    await perPage.goto(`${baseUrl}/`);
    await logIn(t, perPage, 'per@testdirektoratet.no', { check: false });
    await perPage.getByRole('link', { name: 'Rapporter' }).click();
    await perPage.getByRole('heading', { name: 'Virksomhetens rapport', level: 1 }).waitFor();
    t.equal(
      await perPage.locator('[data-kpi="received"] .ks-kpi__value').textContent(),
      '1',
      "Testdirektoratet's own case only",
    );
    await checkPage(t, perPage, 'agency report');
    t.same(pageErrors, [], 'no script errors');
  },
);
