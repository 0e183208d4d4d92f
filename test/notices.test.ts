// Caseworkers hear of what needs them: a customer's reply, a case handed to them, held mail, a near
// deadline. Each notice is the recipient's own; e-mail only when asked for, and never with content.
import t from 'tap';
import { build, enquiry, submitCase, text, type TestApp } from './helpers.js';
import { noticeNearDeadlines } from '../src/notices/deadlines.js';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { renderMail } from '../src/mail/templates.js';
import { plainTransport } from './gateway.js';

async function newCase(app: TestApp, title: string) {
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const created = await submitCase(ola, enquiry('lonn', title, 'Gjelder november.'));
  return { ola, number: String(created.headers.location).split('/').pop()! };
}

const badge = (body: string) => /data-count="(\d+)"/.exec(body)?.[1];

t.test("a customer's reply is told to whoever has the case, read when opened, and nobody else's", async (t) => {
  const app = await build(t);
  const { ola, number } = await newCase(app, 'Trekk i desember');
  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${number}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  await siri.post(`/cases/${number}/assignment`, { assignee_id: 'me', group_id: '', version });
  t.equal(badge((await siri.get('/work/notices/count')).body), undefined, 'taking a case is no news to oneself');

  await ola.get(`/cases/${number}`);
  t.equal((await ola.postMultipart(`/cases/${number}/messages`, { message: 'Her er lønnsslippen.' })).statusCode, 303);
  const count = await siri.get('/work/notices/count');
  t.equal(badge(count.body), '1', 'one unread notice in the header');
  t.match(text(count.body), '(1 uleste)', 'and it is read out');
  const list = await siri.get('/work/notices');
  t.match(text(list.body), `Kunden har svart i sak ${number}: Trekk i desember`);
  const id = /href="\/work\/notices\/(\d+)"/.exec(list.body)![1]!;

  const admin = await app.login('admin@kundesenter.no');
  t.equal((await admin.get(`/work/notices/${id}`)).statusCode, 404, "someone else's notice is not there");
  t.equal((await ola.get('/work/notices')).statusCode, 403, 'customers have no notices');
  t.equal((await ola.get(`/work/notices/${id}`)).statusCode, 403);

  const opened = await siri.get(`/work/notices/${id}`);
  t.equal(opened.headers.location, `/cases/${number}`, 'opening it leads to the case');
  t.equal(badge((await siri.get('/work/notices/count')).body), undefined, 'and marks it read');
});

t.test('a case handed to someone is told to them, by e-mail too when they asked, never with its content', async (t) => {
  const app = await build(t);
  const { number } = await newCase(app, 'Sykepengerefusjon for Nina Ny');
  const siri = await app.login('siri@kundesenter.no');
  await siri.get('/work/notices');
  t.equal((await siri.post('/work/notices/email', { email: 'yes' })).statusCode, 303);
  const admin = await app.login('admin@kundesenter.no');
  const page = await admin.get(`/cases/${number}`);
  const siriId = (
    await app.db.selectFrom('users').select('id').where('email', '=', 'siri@kundesenter.no').executeTakeFirstOrThrow()
  ).id;
  const group = /name="group_id" value="(\d*)"/.exec(page.body)![1]!;
  await admin.post(`/cases/${number}/assignment`, {
    group_id: group,
    assignee_id: String(siriId),
    version: /name="version" value="(\d+)"/.exec(page.body)![1]!,
  });
  t.match(text((await siri.get('/work/notices')).body), `Du har fått sak ${number}`);
  const mails = await app.db
    .selectFrom('outbox')
    .select(['recipient', 'payload', 'language'])
    .where('kind', '=', 'staff_notice')
    .execute();
  t.equal(mails.length, 1, 'one e-mail');
  t.equal(mails[0]!.recipient, 'siri@kundesenter.no');
  const rendered = renderMail('staff_notice', 'nb', mails[0]!.payload as Record<string, string>);
  t.match(rendered.text, `Du har fått en sak ${number}`);
  t.notMatch(rendered.text, 'Sykepengerefusjon', 'the title is not in the e-mail');
  t.notMatch(rendered.text, 'Nina', 'nor any name from the case');
});

t.test('a near deadline is told once to the group when nobody has the case', async (t) => {
  const app = await build(t);
  const { number } = await newCase(app, 'Frist snart');
  const { number: later } = await newCase(app, 'Frist om lenge');
  await app.db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() + 3_600_000) })
    .where('number', '=', number)
    .execute();
  await app.db
    .updateTable('cases')
    .set({ due_at: new Date(Date.now() + 20 * 86_400_000) })
    .where('number', '=', later)
    .execute();
  t.ok((await noticeNearDeadlines(app.db, 4, app.config.publicUrl)) >= 1, 'noticed');
  t.equal(await noticeNearDeadlines(app.db, 4, app.config.publicUrl), 0, 'once per deadline');
  const siri = await app.login('siri@kundesenter.no');
  const list = text((await siri.get('/work/notices')).body);
  t.match(list, `Fristen nærmer seg i sak ${number}`, 'a member of the group heard');
  t.notMatch(list, later, 'a deadline weeks away is no news');
});

t.test('held mail is told to the group of the address it came to, and leads to the incoming mail', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  await plainTransport(inbound.port).sendMail({
    from: 'Kari Nordmann <kari@demoetaten.no>',
    to: 'lonn@kundesenter.no',
    subject: 'Nytt kontonummer',
    text: 'Bruk denne kontoen.',
  });
  await inbound.drain();
  const siri = await app.login('siri@kundesenter.no');
  const list = await siri.get('/work/notices');
  t.match(text(list.body), 'E-post med uverifisert avsender venter på deg');
  t.notMatch(text(list.body), 'Nytt kontonummer', 'the held mail’s subject is not repeated');
  const id = /href="\/work\/notices\/(\d+)"/.exec(list.body)![1]!;
  t.equal((await siri.get(`/work/notices/${id}`)).headers.location, '/work/mail');
});
