// Browser checks of the list, registration, knowledge base and reports pages (Chromium, axe at every page).
import t from 'tap';
import { build, enquiry } from './helpers.js';
import { browserTestOptions, checkPage, currentBrowser, logIn, openPage, useBrowser } from './browser.js';
import { xssPayloads } from './fixtures/xss.js';

useBrowser(t);

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
    // A member is named by address: one nobody has is refused beside the field, with the address kept.
    const member = page.getByLabel('Legg til medlem i Lønnsteamet (e-postadresse)');
    await member.fill('ingen@demoetaten.no');
    await member.press('Enter');
    await page.getByRole('link', { name: 'Ingen i virksomheten logger inn med denne adressen.' }).waitFor();
    t.ok(
      await page.locator('.ds-validation-message', { hasText: 'Ingen i virksomheten' }).isVisible(),
      'and beside the field',
    );
    t.equal(await page.getByLabel('Legg til medlem i Lønnsteamet (e-postadresse)').inputValue(), 'ingen@demoetaten.no');
    await checkPage(t, page, 'shared mailboxes, with a refused new member');
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
    const context = await currentBrowser().newContext({ locale: 'nb-NO' });
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
    const context = await currentBrowser().newContext({ locale: 'nb-NO' });
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
    const suggestion = page.getByRole('button', { name: 'Når utbetales feriepenger?' });
    t.ok(await suggestion.isVisible(), 'a matching article is suggested beside the form');
    await checkPage(t, page, 'new case form with suggestions');
    await suggestion.click();
    await page.getByRole('heading', { name: 'Når utbetales feriepenger?' }).waitFor();
    t.pass('the suggestion opens the article');
  },
);

t.test(
  'reports: the dashboard updates in place when a filter changes; dashboard, errors, subscriptions and ' +
    'the agency report pass axe',
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
    await page.getByRole('link', { name: 'Rapporter', exact: true }).click();
    await page.getByRole('heading', { name: 'Rapporter og nøkkeltall', level: 1 }).waitFor();
    const received = page.locator('[data-kpi="received"] .ks-kpi__value');
    t.equal(await received.textContent(), '2');
    t.ok(
      await page.getByRole('img', { name: /Innkomne saker per dag og kanal/ }).isVisible(),
      'the chart is an image named by its title',
    );
    await checkPage(t, page, 'dashboard');

    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 7));
    await page.getByLabel('Område', { exact: true }).selectOption('regnskap');
    await page.waitForURL(/area=regnskap/);
    await page.locator('[data-kpi="received"] .ks-kpi__value', { hasText: '1' }).waitFor();
    t.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      7,
      'the report was swapped in place, without a reload',
    );
    t.equal(
      await page
        .getByLabel('Område', { exact: true })
        .evaluate((select) => (select as unknown as { value: string }).value),
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
    await perPage.getByRole('link', { name: 'Rapporter', exact: true }).click();
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
