// The caseworker's day in Chromium: the queue by keyboard, the case page in two columns (one on a
// phone), a composer that never loses text, "Lagre og neste", and a phone case in two keystrokes.
import t from 'tap';
import type { Page } from 'playwright-core';
import { build, enquiry, submitCase, type TestApp } from './helpers.js';
import { browserTestOptions, checkPage, logIn, openPage, outOfViewOnPhone, useBrowser } from './browser.js';

useBrowser(t);

async function cases(app: TestApp, titles: string[]) {
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const numbers: string[] = [];
  for (const title of titles)
    numbers.push(
      String((await submitCase(ola, enquiry('lonn', title, 'Gjelder november.'))).headers.location)
        .split('/')
        .pop()!,
    );
  return numbers;
}

const box = async (page: Page, selector: string) => (await page.locator(selector).first().boundingBox())!;
interface Root {
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}
const scrollsSideways = (page: Page) =>
  page.evaluate(() => {
    const root = (globalThis as unknown as Root).document.documentElement;
    return root.scrollWidth > root.clientWidth;
  });

t.test(
  'queue by keyboard, the case page in two columns and on a phone, and a reply box that keeps every word',
  browserTestOptions,
  async (t) => {
    const app = await build(t, { listen: true });
    const [first = '', second = ''] = await cases(app, ['Feil i lønnsslipp', 'Mangler feriepenger']);
    const { page, pageErrors } = await openPage(t);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${app.baseUrl}/`);
    await logIn(t, page, 'siri@kundesenter.no', { check: false });
    await page.goto(`${app.baseUrl}/work?queue=all&sort=created&dir=asc`);
    await checkPage(t, page, 'the queue');
    t.same(
      await outOfViewOnPhone(page, [
        '#case-list tbody td[data-label="Saksnummer"] a',
        '#case-list tbody td[data-label="Tittel"] a',
        '#case-list tbody td[data-label="Status"] .ks-status',
        '#case-list tbody td[data-label="Tid igjen"]',
      ]),
      [],
      'on a phone the queue shows number, title, status and time left without scrolling sideways',
    );

    // j, j, k, Enter: down twice, up once, open.
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/cases/${first}`);
    await page.getByRole('heading', { level: 1, name: /Feil i lønnsslipp/ }).waitFor();

    // Two columns from 1024 px: conversation and composer left, the case's facts and handling right,
    // "Ta saken" and "Neste sak" beside the heading.
    const main = await box(page, '.ks-case-main');
    const side = await box(page, '.ks-case-side');
    t.ok(side.x >= main.x + main.width - 1, 'the side column is to the right of the conversation');
    t.ok((await box(page, '[data-shortcut="take"]')).y < 250, '"Ta saken" is beside the heading');
    t.ok((await box(page, '#message')).y < 900, 'the reply box is on the first screen');
    t.notOk(await scrollsSideways(page), 'no sideways scrolling at 1280 px');
    await checkPage(t, page, 'the case page, two columns');

    await page.keyboard.press('t');
    await page.getByRole('button', { name: 'Saken er din' }).waitFor();
    t.ok(await page.getByRole('button', { name: 'Saken er din' }).isDisabled(), 't took the case');

    // r: to the reply box. A template goes in where the cursor is, after what was typed.
    await page.keyboard.press('r');
    await page.keyboard.type('Hei Ola,');
    await page.getByLabel('Svarmal').selectOption({ label: 'Dokumentasjon mottatt' });
    await page.getByRole('button', { name: 'Sett inn mal' }).click();
    const composed = await page.locator('#message').inputValue();
    t.match(
      composed,
      /^Hei Ola,\n\nHei Ola Nordmann\.\n\nVi har mottatt dokumentasjonen i sak/,
      'inserted, not replaced',
    );
    t.match(page.url(), new RegExp(`/cases/${first}$`), 'without leaving the page');

    // A reload keeps the draft; leaving asks first.
    await page.waitForTimeout(400);
    await page.reload();
    t.equal(await page.locator('#message').inputValue(), composed, 'the draft came back after a reload');
    await page.getByText('Et utkast du ikke sendte er hentet fram igjen.').waitFor();
    await checkPage(t, page, 'the case page with a restored draft');
    const asked: string[] = [];
    page.once('dialog', (dialog) => {
      asked.push(dialog.type());
      void dialog.dismiss();
    });
    await page.getByRole('link', { name: 'Arbeidsflate' }).first().click();
    await page.waitForTimeout(300);
    t.ok(asked.length === 1, 'leaving with unsent text asked first');
    t.match(page.url(), new RegExp(`/cases/${first}$`), 'and staying kept the page');
    t.equal(await page.locator('#message').inputValue(), composed);

    // A phone: one column, the composer straight after the conversation, nothing sideways.
    await page.setViewportSize({ width: 360, height: 740 });
    const timeline = await box(page, '.ks-timeline');
    const reply = await box(page, '#reply-form');
    const facts = await box(page, '.ks-case-side');
    t.ok(reply.y > timeline.y + timeline.height - 1, 'the composer follows the conversation');
    t.ok(facts.y > reply.y + reply.height - 1, 'the facts and handling come after the composer');
    t.notOk(await scrollsSideways(page), 'no sideways scrolling at 360 px');
    await checkPage(t, page, 'the case page on a phone');
    await page.setViewportSize({ width: 1280, height: 900 });

    // "Lagre og neste": saved, and on to the next case of the queue, in its order.
    await page.getByRole('button', { name: 'Lagre og neste' }).click();
    await page.waitForURL(`**/cases/${second}`);
    await page.getByText('Svaret er lagret, og kunden får beskjed på e-post.').first().waitFor();
    const saved = await app.db
      .selectFrom('case_events')
      .innerJoin('cases', 'cases.id', 'case_events.case_id')
      .select('case_events.data')
      .where('cases.number', '=', first)
      .where('case_events.kind', '=', 'message')
      .orderBy('case_events.id', 'desc')
      .executeTakeFirstOrThrow();
    t.match(
      (saved.data as { body: string }).body,
      /^Hei Ola,\n\nHei Ola Nordmann\./,
      'the answer as composed was saved',
    );
    await page.goto(`${app.baseUrl}/cases/${first}`);
    t.equal(await page.locator('#message').inputValue(), '', 'the sent draft is gone');
    t.same(pageErrors, [], 'no script errors');
  },
);

t.test(
  'a phone case from a case template: one click, the caller’s name, and two keystrokes',
  browserTestOptions,
  async (t) => {
    const app = await build(t, { listen: true });
    const { page, pageErrors } = await openPage(t);
    await page.goto(`${app.baseUrl}/`);
    await logIn(t, page, 'siri@kundesenter.no', { check: false });
    await page.goto(`${app.baseUrl}/work`);
    await page.getByRole('link', { name: 'Telefon: tilgang til lønnssystemet' }).click();
    await page.getByRole('heading', { name: 'Registrer sak for kunde', level: 1 }).waitFor();
    await checkPage(t, page, 'registration from a template');
    t.equal(await page.locator('#customer-q:focus').count(), 1, 'the search field has the focus');

    const keys: string[] = [];
    const press = async (key: string) => {
      keys.push(key);
      await page.keyboard.press(key);
    };
    await page.keyboard.type('Ola Nord');
    await press('Enter');
    await page.locator('#customer-results [data-single-match] input:checked').waitFor();
    await page.locator('#register-submit:focus').waitFor();
    await checkPage(t, page, 'registration with the one customer found');
    await press('Enter');
    await page.waitForURL(/\/cases\/\d{4}-\d{6}$/);
    t.same(keys, ['Enter', 'Enter'], 'two keystrokes besides the name');
    const number = page.url().split('/').pop()!;
    const created = await app.db
      .selectFrom('cases')
      .select(['title', 'channel', 'requester_name'])
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
    t.same(created, { title: 'Tilgang til lønnssystemet', channel: 'phone', requester_name: 'Ola Nordmann' });
    t.same(pageErrors, [], 'no script errors');
  },
);
