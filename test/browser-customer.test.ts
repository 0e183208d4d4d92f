// Browser journeys of customers and caseworkers (Chromium, axe at every page).
import t from 'tap';
import { build, enquiry } from './helpers.js';
import {
  browserTestOptions,
  checkPage,
  currentBrowser,
  logIn,
  outOfViewOnPhone,
  useBrowser,
  withoutScript,
} from './browser.js';
import { createCaseFromMail } from '../src/cases/service.js';

useBrowser(t);

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'with JavaScript (htmx)' : 'without JavaScript';

  t.test(
    `customer journey ${mode}: log in, submit with a mistake, fix it, see the case, log out`,
    browserTestOptions,
    async (t) => {
      const { baseUrl } = await build(t, { listen: true });
      const context = await currentBrowser().newContext({ javaScriptEnabled, locale: 'nb-NO' });
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
      await page.locator('#attachments').setInputFiles({
        name: 'vedlegg.pdf',
        mimeType: 'application/pdf',
        buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
      });
      await page.getByRole('button', { name: 'Send inn saken' }).click();
      await page.getByText('Rett opp dette før du sender inn:').waitFor();
      t.ok(await page.getByLabel(/^vedlegg\.pdf/).isChecked(), 'the attached file is held, not lost');
      t.equal(await page.locator('.ds-error-summary:focus').count(), 1, 'the focus is on the error summary');
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
      if (javaScriptEnabled) {
        // The title's article suggestions are shown inside the form first, each a small form with a
        // button of its own: the busy text belongs on the form's own button all the same.
        await page.locator('#title-check .ks-suggestions').waitFor();
        // Pressed twice in a row: the second press does nothing while the first is on its way.
        interface Button {
          click(): void;
          textContent: string;
          form: { getAttribute(name: string): string | null } | null;
        }
        const states = await page.getByRole('button', { name: 'Send inn saken' }).evaluate((element) => {
          const button = element as unknown as Button;
          button.click();
          const busy = button.textContent;
          button.click();
          return { busy, formBusy: button.form?.getAttribute('aria-busy') };
        });
        t.same(states, { busy: 'Sender …', formBusy: 'true' }, 'the button says the form is being sent');
      } else await page.getByRole('button', { name: 'Send inn saken' }).click();
      await page.getByText('Saken er registrert').waitFor();
      t.equal(await page.locator('.ks-flash:focus').count(), 1, 'the focus is on the confirmation');
      const year = new Date().getFullYear();
      t.match(page.url(), new RegExp(`/cases/${year}-000001$`));
      t.ok(await page.getByRole('heading', { name: /Refusjon av sykepenger/ }).isVisible());
      t.ok(
        await page
          .getByRole('link', { name: /vedlegg\.pdf/ })
          .first()
          .isVisible(),
        'and came with the case',
      );
      await checkPage(t, page, 'case page');

      await page.getByRole('link', { name: 'Mine saker' }).first().click();
      await page.getByRole('link', { name: `${year}-000001` }).waitFor();
      t.equal(await page.getByRole('link', { name: `${year}-000002` }).count(), 0, 'the case was registered once');
      await checkPage(t, page, 'case list with a case');
      if (javaScriptEnabled)
        t.same(
          await outOfViewOnPhone(page, [
            '#case-list tbody td[data-label="Saksnummer"] a',
            '#case-list tbody td[data-label="Tittel"] a',
            '#case-list tbody td[data-label="Status"] .ks-status',
            '#case-list tbody td[data-label="Sist endret"] time',
          ]),
          [],
          'on a phone the list shows number, title, status and dates without scrolling sideways',
        );

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

  const context = await currentBrowser().newContext({ locale: 'nb-NO' });
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
  // The queue is swapped in place: wait for it, or the first number may still be the old list's.
  await page.waitForURL(/queue=unlinked/);
  await page.locator('#case-list caption', { hasText: 'Ukjent avsender' }).waitFor({ state: 'attached' });
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
});
