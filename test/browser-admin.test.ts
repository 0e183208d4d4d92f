// The centre's settings pages in Chromium, as an admin: each at 1280 px and at 360 × 740 with axe, a
// refused form on several, the article history, the development mail page and the 404 page. A file of
// its own so that each browser file stays well inside tap's per-file timeout.
import t from 'tap';
import { build } from './helpers.js';
import { browserTestOptions, checkPage, logIn, openPage, useBrowser } from './browser.js';

useBrowser(t);

t.test(
  'the admin pages, with refusals, and the error pages are accessible at both widths',
  browserTestOptions,
  async (t) => {
    const { baseUrl, db } = await build(t, { listen: true });
    // A reader's comment, so the editors' list of comments is shown too.
    await db
      .insertInto('page_feedback')
      .values({ page: '/contact', helpful: false, comment: 'Mangler telefontid' })
      .execute();
    const { page } = await openPage(t);
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
      ['/admin/mail', 'E-post'],
      ['/admin/consultants', 'Konsulenter'],
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
  },
);
