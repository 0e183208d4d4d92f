// Browser checks of held mail, the accessibility statement and contact page, acting for another agency
// and the consultant's declaration (Chromium, axe at every page, both widths). Split from
// browser-pages so that each browser file stays well inside tap's per-file timeout.
import t from 'tap';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { plainTransport } from './gateway.js';
import { build } from './helpers.js';
import { browserTestOptions, checkPage, logIn, openPage, useBrowser } from './browser.js';

useBrowser(t);

t.test(
  'held mail: the incoming-mail list marks an unverified sender, and a caseworker lets it in; pages pass axe',
  browserTestOptions,
  async (t) => {
    const { baseUrl, db, config } = await build(t, { listen: true });
    const inbound = await startInboundSmtp(db, inboundSettings(config, { port: 0, host: '127.0.0.1' }));
    t.teardown(() => inbound.close());
    // No gateway result: anyone can write "From: kari@demoetaten.no".
    const forger = plainTransport(inbound.port);
    await forger.sendMail({
      from: 'Kari Nordmann <kari@demoetaten.no>',
      to: 'lonn@kundesenter.no',
      subject: 'Endret kontonummer for refusjon',
      text: 'Bruk konto 1234.56.78901 fra nå av.',
    });
    await inbound.drain();

    const { page } = await openPage(t);
    await page.goto(`${baseUrl}/`);
    await logIn(t, page, 'siri@kundesenter.no', { check: false });
    await page.goto(`${baseUrl}/work/mail`);
    await page.getByText('Uverifisert avsender').waitFor();
    await checkPage(t, page, 'incoming mail with a held mail');
    await page.getByText('Slipp inn eller forkast').click();
    await page.getByRole('button', { name: 'Slipp inn som ny sak' }).click();
    await page.getByText('Skriv en begrunnelse.').waitFor();
    await checkPage(t, page, 'a release without a reason');
    await page.getByLabel('Begrunnelse').fill('Kari bekreftet på telefon at hun sendte den.');
    await page.getByRole('button', { name: 'Slipp inn som ny sak' }).click();
    await page.getByRole('heading', { name: /Endret kontonummer for refusjon/ }).waitFor();
    t.match(page.url(), /\/cases\/\d{4}-\d{6}$/, 'the mail became a case');
    await checkPage(t, page, 'the released case');
  },
);

t.test(
  'the accessibility statement and the contact page are one link away from every page',
  browserTestOptions,
  async (t) => {
    const { baseUrl } = await build(t, { listen: true });
    const { page } = await openPage(t);
    await page.goto(`${baseUrl}/tilgjengelighet`);
    t.equal(new URL(page.url()).pathname, '/accessibility', 'the Norwegian address leads to it');
    await page.goto(`${baseUrl}/`);
    await page.getByRole('contentinfo').getByRole('link', { name: 'Tilgjengelighetserklæring' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tilgjengelighetserklæring' }).waitFor();
    const statement = (await page.locator('main').textContent()) ?? '';
    for (const part of ['Krav og status', 'WCAG 2.1', 'Kjente avvik', 'Slik tester vi', 'Si fra om feil og mangler'])
      t.match(statement, part, part);
    t.match(statement, /sist oppdatert \d{1,2}\. \S+ \d{4}/, 'dated');
    t.ok(await page.getByRole('link', { name: 'uutilsynet.no' }).isVisible(), 'where to complain');
    await checkPage(t, page, 'the accessibility statement');

    await page.getByRole('contentinfo').getByRole('link', { name: 'Kontakt oss' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kontakt kundesenteret' }).waitFor();
    t.ok(await page.getByRole('link', { name: '+47 40 00 00 10' }).isVisible(), "the payroll centre's phone");
    await checkPage(t, page, 'the contact page');
  },
);

t.test(
  "asking to act for another agency, deciding it, and a consultant's declaration, at both widths",
  browserTestOptions,
  async (t) => {
    const { baseUrl, db } = await build(t, { listen: true });
    const { page } = await openPage(t);
    await page.goto(`${baseUrl}/`);
    await logIn(t, page, 'ola@demoetaten.no', { check: false });
    await page.goto(`${baseUrl}/me`);
    await page.getByLabel('Organisasjonsnummeret til virksomheten').fill('910000002');
    await page.getByLabel('Hvorfor trenger du det?').fill('Vi er i samme lønnsfellesskap.');
    await page.getByRole('button', { name: 'Send forespørselen' }).click();
    await page.getByRole('heading', { name: 'Forespørsel om å opptre for Testdirektoratet' }).waitFor();
    t.ok(await page.getByText('Venter på behandling', { exact: true }).isVisible(), 'the customer sees it waiting');
    await checkPage(t, page, 'a request to act for another agency, as the customer sees it');
    const casePath = new URL(page.url()).pathname;

    const staff = await openPage(t);
    await staff.page.goto(`${baseUrl}/`);
    await logIn(t, staff.page, 'siri@kundesenter.no', { check: false });
    await staff.page.goto(baseUrl + casePath);
    await staff.page.getByRole('button', { name: 'Godkjenn' }).waitFor();
    await checkPage(t, staff.page, 'a request to act for another agency, as the caseworker decides it');
    await staff.page.getByRole('button', { name: 'Godkjenn' }).click();
    await staff.page.getByText('Forespørselen er godkjent, og medlemskapet er lagt til.').waitFor();
    t.pass('approved in the case');

    await db.updateTable('users').set({ consultant: true }).where('email', '=', 'per@testdirektoratet.no').execute();
    const consultant = await openPage(t);
    await consultant.page.goto(`${baseUrl}/`);
    await consultant.page.getByRole('link', { name: 'Logg inn' }).first().click();
    await consultant.page.getByLabel('E-post').fill('per@testdirektoratet.no');
    await consultant.page.getByRole('button', { name: 'Logg inn' }).click();
    await consultant.page.getByRole('heading', { name: 'Samtykkeerklæring for konsulenter', level: 1 }).waitFor();
    await checkPage(t, consultant.page, 'the consent declaration');
    await consultant.page.getByRole('button', { name: 'Jeg har lest og godtar erklæringen' }).click();
    await consultant.page.getByText('Du har godtatt samtykkeerklæringen.').waitFor();
    t.pass('accepted, and on into the service');
  },
);
