// Periodic reporting in Chromium, with and without JavaScript: Kari finds the report, reads the layout,
// delivers a file, sees a refused file's errors, uses the web form; Siri reads the centre's overview.
// Every page at 1280 px and at 360 × 740: axe at both, and never scrolling sideways.
import t from 'tap';
import { osloDay } from '../src/sla/calendar.js';
import { variablePayLayout } from '../src/demo/reporting.js';
import { build, enquiry, submitCase } from './helpers.js';
import { deliverWebhooks } from '../src/webhooks/worker.js';
import { browserTestOptions, checkPage, currentBrowser, logIn, useBrowser, withoutScript } from './browser.js';

useBrowser(t);

const month = osloDay(new Date()).slice(0, 7);
const header = variablePayLayout.columns.map((c) => c.name).join(';');
const file = (amount: string) => ({
  name: 'variabel-lonn.csv',
  mimeType: 'text/csv',
  buffer: Buffer.from(`${header}\n10023;01010012356;1100;${amount};${month};\n`),
});

for (const javaScriptEnabled of [true, false]) {
  const mode = javaScriptEnabled ? 'with JavaScript (htmx)' : 'without JavaScript';
  t.test(`Kari delivers her variable pay data ${mode}`, browserTestOptions, async (t) => {
    const app = await build(t, { listen: true });
    const context = await currentBrowser().newContext({ javaScriptEnabled, locale: 'nb-NO' });
    t.teardown(() => context.close());
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    if (!javaScriptEnabled) withoutScript.add(page);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${app.baseUrl}/`);
    await logIn(t, page, 'kari@demoetaten.no', { check: false });

    await page.getByRole('link', { name: 'Innrapportering', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Innrapportering' }).waitFor();
    await checkPage(t, page, 'the agency overview');

    await page.getByRole('link', { name: 'Variable lønnsdata' }).first().click();
    await page.getByRole('heading', { level: 2, name: 'Kolonner' }).waitFor();
    await checkPage(t, page, 'the published layout');

    await page.goto(`${app.baseUrl}/reporting/types/variabel-lonn/${month}`);
    await page.getByRole('heading', { level: 2, name: 'Lever', exact: true }).waitFor();
    await checkPage(t, page, 'the period page');

    // A refused file: the errors are listed, nothing is delivered.
    await page.getByLabel('Fil', { exact: true }).setInputFiles(file('12,3,4'));
    await page.getByLabel('Antall rader i filen').fill('1');
    await page.getByLabel('Sum av Beløp').fill('12');
    await page.getByRole('button', { name: 'Lever filen' }).click();
    await page.getByText('Linje 2, kolonne Beløp: «12,3,4» er ikke et beløp').waitFor();
    await checkPage(t, page, 'a refused delivery');

    // The corrected file passes and shows its receipt.
    await page.getByLabel('Fil', { exact: true }).setInputFiles(file('2450,00'));
    await page.getByLabel('Antall rader i filen').fill('1');
    await page.getByLabel('Sum av Beløp').fill('2450,00');
    await page.getByRole('button', { name: 'Lever filen' }).click();
    await page.getByRole('heading', { level: 1, name: /Kvittering IR-/ }).waitFor();
    t.match((await page.locator('main').textContent()) ?? '', /2\s450,00/);
    await checkPage(t, page, 'the receipt');

    // The web form: a row added without losing what was typed.
    await page.goto(`${app.baseUrl}/reporting/types/variabel-lonn/${month}/form`);
    await page.getByRole('textbox', { name: 'Ansattnummer 1' }).fill('10023');
    await page.getByRole('button', { name: 'Legg til rad' }).click();
    await page.getByRole('textbox', { name: 'Ansattnummer 4' }).waitFor();
    t.equal(await page.getByRole('textbox', { name: 'Ansattnummer 1' }).inputValue(), '10023');
    await checkPage(t, page, 'the web form');

    await page.goto(`${app.baseUrl}/reporting/contact`);
    await checkPage(t, page, 'the reporting contact');
    t.same(pageErrors, [], 'no script errors');
  });
}

t.test("Siri reads the centre's overview and the agencies behind a figure", browserTestOptions, async (t) => {
  const app = await build(t, { listen: true });
  const context = await currentBrowser().newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/`);
  await logIn(t, page, 'siri@kundesenter.no', { check: false });
  await page.getByRole('link', { name: 'Innrapportering', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Innrapportering fra virksomhetene' }).waitFor();
  await checkPage(t, page, "the centre's overview");
  await page.locator('a[href*="status=late"]').first().click();
  await page
    .getByRole('button', { name: /Opprett sak til/ })
    .first()
    .waitFor();
  await checkPage(t, page, 'the agencies of one period');
});

t.test('the reporting settings pass axe and fit a phone', browserTestOptions, async (t) => {
  const app = await build(t, { listen: true });
  const context = await currentBrowser().newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/`);
  await logIn(t, page, 'admin@kundesenter.no', { check: false });
  await page.goto(`${app.baseUrl}/admin/reporting`);
  await page.getByRole('heading', { level: 1, name: 'Innrapportering' }).waitFor();
  await checkPage(t, page, 'the report types');
  await page.getByRole('link', { name: 'Variable lønnsdata' }).click();
  await page.getByRole('heading', { level: 2, name: 'Oppsett', exact: true }).waitFor();
  await checkPage(t, page, "a report type's settings and layout");
  await page.goto(`${app.baseUrl}/admin/reporting/calendar`);
  await page.getByRole('heading', { level: 1, name: /Lønnskalender og periodeavslutning/ }).waitFor();
  await checkPage(t, page, 'the calendars');
});

t.test('the API clients page and the API reference pass axe and fit a phone', browserTestOptions, async (t) => {
  const app = await build(t, { listen: true });
  const context = await currentBrowser().newContext({ locale: 'nb-NO' });
  t.teardown(() => context.close());
  const page = await context.newPage();
  await page.goto(`${app.baseUrl}/api/docs`);
  await page.getByRole('heading', { level: 1, name: 'API for fagsystemer' }).waitFor();
  await checkPage(t, page, 'the API reference');
  await page.goto(`${app.baseUrl}/`);
  await logIn(t, page, 'admin@kundesenter.no', { check: false });
  await page.goto(`${app.baseUrl}/admin/api-clients`);
  await page.getByLabel('Navn', { exact: true }).fill('Fagsystem');
  await page.getByLabel('Ansvarlig').fill('Drift');
  await page.getByLabel('Hele kundesenteret (kundesenterets egne fagsystemer)').check();
  await page.getByLabel('cases:read').check();
  await page.getByLabel('webhooks:manage').check();
  await page.getByRole('button', { name: 'Opprett og vis nøkkel' }).click();
  await page.locator('#new-token').waitFor();
  await checkPage(t, page, 'the API clients with a new token');

  // The client subscribes a receiver that is down; a case is opened and its delivery fails.
  const token = (await page.locator('#new-token').textContent())!.trim();
  const subscribed = await app.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify({
      url: 'http://127.0.0.1:9/a-long-path/that-must-not-widen-the-page',
      events: ['case.created'],
    }),
  });
  t.equal(subscribed.statusCode, 201);
  await submitCase(await app.login('ola@demoetaten.no'), enquiry('lonn', 'Olas sak', 'Tekst'));
  await deliverWebhooks(app.db, { publicUrl: app.config.publicUrl, allowLoopback: true, timeoutMs: 2000 });
  await page.getByRole('link', { name: 'Webhooks for Fagsystem' }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks for Fagsystem' }).waitFor();
  t.match(await page.locator('main').textContent(), /Venter \(forsøk: 1\)/);
  await checkPage(t, page, "a client's webhooks and their deliveries");
  await page.getByRole('button', { name: 'Sett på pause' }).click();
  await page.getByText('Abonnementet er satt på pause').waitFor();
  await page.getByRole('button', { name: 'Gjenoppta' }).click();
  await page.getByText('Abonnementet er gjenopptatt').waitFor();
  await page.getByRole('button', { name: /Send case.created fra .* på nytt/ }).click();
  await page.getByText('Varselet sendes på nytt om et øyeblikk.').waitFor();
});
