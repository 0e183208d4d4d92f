import t from 'tap';
import { build, enquiry, submitCase, text } from './helpers.js';
import { sanitiseFilename, contentDisposition } from '../src/attachments/files.js';

const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200, 0x90)]);

t.test('files on a new case are stored with it and downloaded only by those who see the case', async (t) => {
  const { login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const created = await submitCase(ola, enquiry('lonn', 'Med vedlegg', 'Se vedlagt'), [
    { name: 'lønnsslipp mars.pdf', type: 'application/pdf', data: pdf },
    { name: 'skjermbilde.png', type: 'image/png', data: png },
  ]);
  t.equal(created.statusCode, 303);
  const casePath = String(created.headers.location);
  const page = await ola.get(casePath);
  t.match(text(page.body), 'lønnsslipp mars.pdf');
  t.match(text(page.body), 'skjermbilde.png');
  const links = [...page.body.matchAll(/href="(\/cases\/\d{4}-\d{6}\/attachments\/(\d+))"/g)].map((m) => m[1]!);
  t.equal(links.length, 2);

  const download = await ola.get(links[0]!);
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/pdf');
  t.equal(download.headers['x-content-type-options'], 'nosniff');
  t.equal(
    download.headers['content-security-policy'],
    "default-src 'none'; sandbox",
    "a file's own, stricter policy replaces the pages' policy",
  );
  t.match(
    String(download.headers['content-disposition']),
    /^attachment; filename="lonnsslipp mars.pdf"; filename\*=UTF-8''l%C3%B8nnsslipp%20mars.pdf$/,
  );
  t.same(download.rawPayload, pdf, 'the same bytes come back');

  const kari = await login('kari@demoetaten.no');
  t.equal((await kari.get(links[1]!)).statusCode, 200, 'a professional user in the area may download');
  const per = await login('per@testdirektoratet.no');
  t.equal((await per.get(links[0]!)).statusCode, 404, 'another agency gets not found, even with the right id');
  const otherCase = await submitCase(per, enquiry('regnskap', 'Min sak', 'Tekst'));
  const foreignPath = `${String(otherCase.headers.location)}/attachments/${links[0]!.split('/').pop()}`;
  t.equal(
    (await per.get(foreignPath)).statusCode,
    404,
    'an id from another case through one of your own cases is not found',
  );
});

t.test('the type is judged by content, and a refused file leaves the typed text and saves nothing', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const disguised = await submitCase(ola, enquiry('lonn', 'Forkledd fil', 'Teksten min'), [
    { name: 'faktura.pdf', type: 'application/pdf', data: exe },
  ]);
  t.equal(disguised.statusCode, 422);
  t.match(text(disguised.body), 'Filen «faktura.pdf» har en filtype vi ikke tar imot');
  t.match(disguised.body, 'Teksten min', 'the description is kept');
  t.match(disguised.body, 'value="Forkledd fil"', 'the title is kept');
  t.match(text(disguised.body), 'Filer som ikke ble tatt imot, må du velge på nytt.');

  const binaryText = await submitCase(ola, enquiry('lonn', 'Tekstfil', 'Tekst'), [
    { name: 'liste.csv', data: Buffer.from('a;b\u0000c') },
  ]);
  t.equal(binaryText.statusCode, 422, 'a .csv with binary content is refused');
  const emptyFile = await submitCase(ola, enquiry('lonn', 'Tom', 'Tekst'), [
    { name: 'tom.pdf', data: Buffer.alloc(0) },
  ]);
  t.equal(emptyFile.statusCode, 422);
  t.match(text(emptyFile.body), 'Filen «tom.pdf» er tom.');

  const plain = await submitCase(ola, enquiry('lonn', 'Tekstfil', 'Tekst'), [
    { name: 'liste.csv', data: Buffer.from('ansatt;beløp\n1;100\n') },
  ]);
  t.equal(plain.statusCode, 303, 'plain text by an allowed name is accepted');
  const counts = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(counts.n), 1, 'only the accepted submission made a case');
});

t.test('size limits per file and per case answer 413, keep the text and store nothing', async (t) => {
  const { login, db } = await build(t, { env: { ATTACHMENT_MAX_FILE_MB: '0.01', ATTACHMENT_MAX_CASE_MB: '0.015' } });
  const ola = await login('ola@demoetaten.no');
  const big = Buffer.concat([pdf, Buffer.alloc(11 * 1024, 0x20)]);
  const tooBig = await submitCase(ola, enquiry('lonn', 'Stor fil', 'Beholdes'), [{ name: 'stor.pdf', data: big }]);
  t.equal(tooBig.statusCode, 413);
  t.match(text(tooBig.body), 'Filen «stor.pdf» er for stor. Største tillatte størrelse er');
  t.match(tooBig.body, 'Beholdes');

  const halfLimit = Buffer.concat([pdf, Buffer.alloc(8 * 1024, 0x20)]);
  const created = await submitCase(ola, enquiry('lonn', 'Første fil', 'Tekst'), [{ name: 'a.pdf', data: halfLimit }]);
  t.equal(created.statusCode, 303);
  const casePath = String(created.headers.location);
  await ola.get(casePath);
  const reply = await ola.postMultipart(`${casePath}/messages`, { message: 'Her er en til' }, [
    { name: 'b.pdf', data: halfLimit },
  ]);
  t.equal(reply.statusCode, 413, 'the case total would pass its limit');
  t.match(text(reply.body), 'til sammen ville bli større enn');
  t.match(reply.body, 'Her er en til', 'the reply text is kept');
  const files = await db.selectFrom('attachments').select('filename').execute();
  t.same(
    files.map((f) => f.filename),
    ['a.pdf'],
    'nothing from the refused reply was stored',
  );
  const messages = await db.selectFrom('case_events').select('id').where('kind', '=', 'message').execute();
  t.equal(messages.length, 0);
});

t.test('file names are made safe but stay recognisable', async (t) => {
  t.equal(sanitiseFilename('../../etc/passwd.pdf', 'pdf'), 'passwd.pdf');
  t.equal(sanitiseFilename('C:\\Users\\kari\\bilag.PDF', 'pdf'), 'bilag.PDF');
  t.equal(
    sanitiseFilename('faktura\u202Efdp.exe', 'pdf'),
    'fakturafdp.pdf',
    'bidi overrides go, and the extension follows the content',
  );
  t.equal(sanitiseFilename('bilde.jpeg', 'jpg'), 'bilde.jpeg');
  t.equal(sanitiseFilename('   ', 'png'), 'vedlegg.png');
  t.equal(sanitiseFilename('a<b>:"c|?*.txt', 'txt'), 'a_b___c___.txt');
  t.equal(
    contentDisposition('Økonomi "Q1".pdf'),
    `attachment; filename="Okonomi _Q1_.pdf"; filename*=UTF-8''%C3%98konomi%20%22Q1%22.pdf`,
  );
});

t.test("files that passed are held across a correction, for their sender only, and become the case's", async (t) => {
  const { login, db } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const first = await submitCase(kari, enquiry('lonn', 'Med vedlegg', ''), [
    { name: 'lønnsslipp mars.pdf', type: 'application/pdf', data: pdf },
    { name: 'skjermbilde.png', type: 'image/png', data: png },
  ]);
  t.equal(first.statusCode, 422, 'the description is missing');
  t.notMatch(text(first.body), 'må du velge på nytt', 'the files need not be chosen again');
  const held = [...first.body.matchAll(/name="held" value="([^"]+)" checked>\s*<label[^>]*>([^<]+)</g)].map((m) => ({
    token: m[1]!,
    label: m[2]!,
  }));
  t.same(
    held.map((h) => h.label),
    ['lønnsslipp mars.pdf (1 kB)', 'skjermbilde.png (1 kB)'],
    'the form names the files it holds, ticked',
  );
  t.equal(
    Number(
      (
        await db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    0,
  );

  // Another user cannot use the tokens: their case gets no files.
  const ola = await login('ola@demoetaten.no');
  const stolen = await submitCase(ola, enquiry('lonn', 'Olas sak', 'Tekst', { held: held.map((h) => h.token) }));
  t.equal(stolen.statusCode, 303);
  t.notMatch(text((await ola.get(String(stolen.headers.location))).body), 'lønnsslipp');

  // Kari keeps the PDF and unticks the picture.
  const second = await submitCase(kari, enquiry('lonn', 'Med vedlegg', 'Nå med tekst', { held: [held[0]!.token] }));
  t.equal(second.statusCode, 303);
  const page = await kari.get(String(second.headers.location));
  t.match(text(page.body), 'lønnsslipp mars.pdf');
  t.notMatch(text(page.body), 'skjermbilde.png', 'an unticked file is left out');
  const link = /href="(\/cases\/\d{4}-\d{6}\/attachments\/\d+)"/.exec(page.body)?.[1];
  t.same((await kari.get(link!)).rawPayload, pdf, 'the same bytes as sent the first time');
  const again = await submitCase(kari, enquiry('lonn', 'Igjen', 'Tekst', { held: [held[0]!.token] }));
  t.notMatch(text((await kari.get(String(again.headers.location))).body), 'lønnsslipp', 'a held file is used once');

  // A required file is satisfied by a held one; an expired one is gone.
  const voucher = {
    area: 'lonn',
    form_code: 'bilag',
    title: 'Overtid for mars',
    body: '',
    f_voucher_type: 'variable_pay',
    f_pay_period: '2026-03-12',
    f_voucher_count: '12',
    f_total_amount: '1 250,50',
    f_urgent: 'no',
  };
  const missing = await submitCase(kari, voucher, [{ field: 'f_vouchers', name: 'bilag.pdf', data: pdf }]);
  t.equal(missing.statusCode, 422);
  const token = /name="held" value="([^"]+)"/.exec(missing.body)?.[1] ?? '';
  t.match(
    missing.body,
    /id="f_vouchers"[\s\S]*?name="held"[\s\S]*?id="attachments"/,
    'held beside the question it answers',
  );
  await db
    .updateTable('held_files')
    .set({ created_at: new Date(Date.now() - 25 * 3600_000) })
    .execute();
  const expired = await submitCase(kari, { ...voucher, body: 'Tekst', held: [token] });
  t.equal(expired.statusCode, 422);
  t.match(text(expired.body), 'Legg ved minst én fil.', 'a file held more than a day is gone');
  await db.updateTable('held_files').set({ created_at: new Date() }).execute();
  const done = await submitCase(kari, { ...voucher, body: 'Tekst', held: [token] });
  t.equal(done.statusCode, 303, 'the held voucher answers the required question');
});

t.test('a message whose text is refused keeps its files too', async (t) => {
  const { login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const created = await submitCase(ola, enquiry('lonn', 'Sak med svar', 'Tekst'));
  const casePath = String(created.headers.location);
  await ola.get(casePath);
  const refused = await ola.postMultipart(`${casePath}/messages`, { message: '' }, [
    { name: 'kvittering.pdf', type: 'application/pdf', data: pdf },
  ]);
  t.equal(refused.statusCode, 422);
  const token = /name="held" value="([^"]+)" checked>\s*<label[^>]*>kvittering\.pdf/.exec(refused.body)?.[1];
  t.ok(token, 'the file is held and named, ticked');
  t.notMatch(text(refused.body), 'må du velge på nytt');
  const sent = await ola.post(`${casePath}/messages`, { message: 'Her er kvitteringen.', held: token! });
  t.equal(sent.statusCode, 303);
  const page = await ola.get(casePath);
  t.match(text(page.body), 'Her er kvitteringen.');
  const link = [...page.body.matchAll(/href="(\/cases\/\d{4}-\d{6}\/attachments\/\d+)"/g)].map((m) => m[1]!);
  t.equal(link.length, 1, 'the message came with its file');
  t.same((await ola.get(link[0]!)).rawPayload, pdf);
});
