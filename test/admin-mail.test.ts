// The mail settings page: a receiving address decides area, group, form and category of the case its
// mail becomes; an area's notices come from the area's own sender.
import t from 'tap';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { gatewayTransport } from './gateway.js';
import { build, enquiry, mailbox, submitCase, text } from './helpers.js';

t.test('a dedicated receiving address makes a case of the right type in the right group', async (t) => {
  const app = await build(t);
  const { db } = app;
  const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const regnskap = await db.selectFrom('areas').select('id').where('code', '=', 'regnskap').executeTakeFirstOrThrow();
  const group = await db.selectFrom('groups').select('id').where('area_id', '=', lonn.id).executeTakeFirstOrThrow();
  const otherGroup = await db
    .selectFrom('groups')
    .select('id')
    .where('area_id', '=', regnskap.id)
    .executeTakeFirstOrThrow();
  const form = await db.selectFrom('forms').select('id').where('area_id', '=', lonn.id).executeTakeFirstOrThrow();
  const category = await db
    .selectFrom('categories')
    .select('id')
    .where('area_id', '=', lonn.id)
    .executeTakeFirstOrThrow();

  const admin = await app.login('admin@kundesenter.no');
  t.match(text((await admin.get('/admin/mail')).body), 'lonn@kundesenter.no', 'the existing addresses are listed');
  const wrong = await admin.post('/admin/mail/addresses', {
    address: 'refusjon+x@kundesenter.no',
    area: String(lonn.id),
    group: String(otherGroup.id),
    form: '',
    category: '',
  });
  t.equal(wrong.statusCode, 422);
  t.match(text(wrong.body), 'Skriv en gyldig e-postadresse uten plusstegn.');
  t.match(text(wrong.body), 'Velg noe som hører til området, eller ingenting.', 'a group of another area is refused');
  t.equal((await db.selectFrom('mailbox_addresses').select('address').execute()).length, 2, 'nothing was saved');

  const saved = await admin.post('/admin/mail/addresses', {
    address: 'Refusjon@Kundesenter.no',
    area: String(lonn.id),
    group: String(group.id),
    form: String(form.id),
    category: String(category.id),
  });
  t.equal(saved.statusCode, 303);

  const inbound = await startInboundSmtp(db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  await gatewayTransport(inbound.port).sendMail({
    from: 'ola@demoetaten.no',
    to: 'refusjon@kundesenter.no',
    subject: 'Refusjon sykepenger mars',
    text: 'Vedlagt kommer.',
  });
  await inbound.drain();
  const created = await db
    .selectFrom('cases')
    .select(['area_id', 'group_id', 'form_id', 'category_id'])
    .executeTakeFirstOrThrow();
  t.same(created, { area_id: lonn.id, group_id: group.id, form_id: form.id, category_id: category.id });

  const removed = await admin.post('/admin/mail/addresses/removal', { address: 'refusjon@kundesenter.no' });
  t.equal(removed.statusCode, 303);
  const audit = await db.selectFrom('audit_log').select('object_type').where('action', '=', 'admin.change').execute();
  t.same(
    audit.map((row) => row.object_type),
    ['mailbox_address', 'mailbox_address'],
    'both changes are in the audit trail',
  );
});

t.test("an area's notices come from the area's sender, with the case's reply address", async (t) => {
  const inbox = await mailbox(t);
  const app = await build(t, { smtpUrl: inbox.url });
  const lonn = await app.db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const admin = await app.login('admin@kundesenter.no');
  await admin.get('/admin/mail');
  const refused = await admin.post('/admin/mail/senders', { area: String(lonn.id), name: 'Lønn', address: '' });
  t.equal(refused.statusCode, 422, 'a name without an address');
  const saved = await admin.post('/admin/mail/senders', {
    area: String(lonn.id),
    name: 'Kundesenter lønn',
    address: 'lonn@kundesenter.no',
  });
  t.equal(saved.statusCode, 303);
  const ola = await app.login('ola@demoetaten.no');
  await submitCase(ola, enquiry('lonn', 'Trekk', 'Spørsmål om trekk'));
  const ack = await inbox.waitFor(() => true);
  t.equal(ack.from?.text, '"Kundesenter lønn" <lonn@kundesenter.no>');
  t.match(ack.replyTo?.text ?? '', /lonn\+\d+-[a-z2-7]{26}@kundesenter\.no/);
});
