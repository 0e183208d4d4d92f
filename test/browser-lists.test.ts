// The list's closed panels in Chromium: the column chooser fetched when opened, a column taken away,
// and what a browser without JavaScript is linked to instead (the chooser as a page, the list with every
// filter), each at both widths with axe. A file of its own so that each browser file stays well inside
// tap's per-file timeout.
import t from 'tap';
import { build } from './helpers.js';
import { browserTestOptions, checkPage, logIn, openPage, useBrowser } from './browser.js';
import { seedCases } from '../src/demo/seed.js';

useBrowser(t);

t.test('the column chooser and the column filters, with and without JavaScript', browserTestOptions, async (t) => {
  const { baseUrl, db } = await build(t, { listen: true });
  await seedCases(db, 40);
  const { page } = await openPage(t);
  await page.goto(`${baseUrl}/`);
  await logIn(t, page, 'kari@demoetaten.no', { check: false });
  await page.goto(`${baseUrl}/cases?scope=agency`);
  await page.locator('#case-list tbody tr').first().waitFor();
  t.equal(await page.locator('#column-updated').count(), 0, 'the chooser is not in the page until opened');

  await page.getByText('Velg kolonner').click();
  await page.locator('#column-updated').uncheck();
  await checkPage(t, page, 'column chooser open');
  await page.getByRole('button', { name: 'Lagre kolonner' }).click();
  await page.getByText('Kolonnevalget er lagret.').waitFor();
  t.equal(await page.locator('#case-list th', { hasText: 'Sist endret' }).count(), 0, 'the column left the table');
  t.equal(await page.locator('#case-list th', { hasText: 'Opprettet' }).count(), 1, 'the others stayed');

  await page.getByText('Filtrer på kolonner').click();
  await page.getByLabel('Avsluttet').check();
  await page.waitForURL(/status=closed/);
  t.ok(
    (await page.locator('#case-list tbody .ks-status').allTextContents()).every((s) => s.trim() === 'Avsluttet'),
    'a filter from the fetched panel applies as any other',
  );

  await page.goto(`${baseUrl}/cases/columns?returnTo=${encodeURIComponent('/cases?scope=agency')}`);
  await page.getByRole('heading', { name: 'Velg kolonner' }).waitFor();
  t.notOk(await page.locator('#column-updated').isChecked(), 'the page shows the saved choice');
  await checkPage(t, page, 'column chooser as a page');
  await page.getByRole('link', { name: 'Tilbake til listen' }).click();
  await page.locator('#case-list').waitFor();
  await page.goto(`${baseUrl}/cases?scope=agency&filters=all`);
  t.ok(await page.getByLabel('Tittel inneholder').isVisible(), 'every filter is shown at once');
  await checkPage(t, page, 'case list with every filter shown');
});
