// Beside a case the caseworker sees who asked, their other cases (or, for mail from an unknown
// address, earlier mail from that address) and cases like it: only cases they may open, never the case
// itself, and similar ones from the case's own area only.
import t from 'tap';
import { build, enquiry, submitCase, text, type Client } from './helpers.js';
import { openCase } from '../src/cases/open.js';
import type { Db } from '../src/db/index.js';

const numberOf = (response: { headers: Record<string, unknown> }) =>
  String(response.headers.location).split('/').pop()!;

/** The customer panel's lists, by heading: the text of each list item. */
function panel(html: string) {
  const aside = /<aside class="ks-section ks-customer"[\s\S]*?<\/aside>/.exec(html)?.[0] ?? '';
  const section = (heading: string) => {
    const start = aside.indexOf(`>${heading}</h3>`);
    if (start < 0) return undefined;
    const rest = aside.slice(start + heading.length + 6);
    const end = rest.indexOf('<h3');
    return [...(end < 0 ? rest : rest.slice(0, end)).matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => text(m[1]!).trim());
  };
  return {
    other: section('Kundens andre saker'),
    fromAddress: section('Tidligere e-post fra samme adresse'),
    similar: section('Lignende saker'),
  };
}

const listed = (items: string[] | undefined, number: string) => (items ?? []).some((item) => item.startsWith(number));

t.test('the customer panel lists the customer’s other cases and similar cases of the same area', async (t) => {
  const { login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const per = await login('per@testdirektoratet.no');
  const current = numberOf(await submitCase(ola, enquiry('lonn', 'Trekk i feriepenger', 'Hvorfor er det trukket?')));
  const olaOther = numberOf(await submitCase(ola, enquiry('lonn', 'Ny bankkonto', 'Jeg har byttet bank.')));
  const perSimilar = numberOf(await submitCase(per, enquiry('lonn', 'Feil trekk i juni', 'Trekket er for høyt.')));
  const otherArea = numberOf(await submitCase(per, enquiry('regnskap', 'Trekk i faktura', 'Fakturaen er trukket.')));
  const unrelated = numberOf(await submitCase(per, enquiry('lonn', 'Adresseendring', 'Jeg har flyttet.')));
  const siri = await login('siri@kundesenter.no');

  const page = await siri.get(`/cases/${current}`);
  t.equal(page.statusCode, 200);
  const { other, similar } = panel(page.body);
  t.ok(listed(other, olaOther), 'the customer’s other case is listed');
  t.notOk(listed(other, current), 'not the case itself');
  t.notOk(listed(other, perSimilar), 'not another customer’s case');
  t.ok(listed(similar, perSimilar), 'a case of the same area sharing a word of the title is similar');
  t.notOk(listed(similar, current), 'the case is not like itself');
  t.notOk(listed(similar, otherArea), 'a case of another area is not, though it shares the word');
  t.notOk(listed(similar, unrelated), 'a case sharing no word is not');
  t.notOk(listed(similar, olaOther), 'nor the customer’s other case, which shares none');

  // The case of the other area finds none of the payroll cases.
  const accounting = panel((await siri.get(`/cases/${otherArea}`)).body);
  t.same(accounting.similar, [], 'nothing like it in its own area');
  t.match(text((await siri.get(`/cases/${otherArea}`)).body), 'Fant ingen lignende saker.');
});

t.test('a customer never sees the panel; a case the viewer may not open is never listed in it', async (t) => {
  const { db, login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const current = numberOf(await submitCase(ola, enquiry('lonn', 'Refusjon av sykepenger', 'Når kommer refusjonen?')));
  const second = numberOf(await submitCase(ola, enquiry('lonn', 'Refusjon av foreldrepenger', 'Når kommer den?')));
  t.equal(panel((await ola.get(`/cases/${current}`)).body).similar, undefined, 'the customer sees no panel');

  // A caseworker of accounting only opens no payroll case, and sees no payroll case listed beside theirs.
  const rita = await caseworkerOf(db, login, 'regnskap');
  const ownOther = numberOf(await submitCase(ola, enquiry('regnskap', 'Faktura fra leverandør', 'Hei.')));
  const own = numberOf(await submitCase(ola, enquiry('regnskap', 'Refusjon av reiseutgifter', 'Når kommer den?')));
  t.equal((await rita.get(`/cases/${current}`)).statusCode, 404);
  const beside = panel((await rita.get(`/cases/${own}`)).body);
  t.ok(listed(beside.other, ownOther), 'the customer’s case in her own area is listed');
  t.notOk(listed(beside.other, current), 'the customer’s payroll case is not among their other cases');
  t.notOk(listed(beside.other, second));
  t.notOk(listed(beside.similar, current), 'nor among the similar ones');
});

t.test('mail from an unknown address lists earlier mail from that address, not from others', async (t) => {
  const { db, config, login } = await build(t);
  const area = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const fromUnknown = (address: string, title: string) =>
    openCase(db, {
      title,
      body: 'Hei, jeg lurer på noe.',
      areaId: area.id,
      agencyId: null,
      requester: { senderAddress: address },
      actorId: null,
      channel: 'email',
      formId: null,
      categoryId: null,
      answers: {},
      files: [],
      acknowledge: false,
      language: 'nb',
      publicUrl: config.publicUrl,
    });
  const first = await fromUnknown('lise@eksempel.no', 'Spørsmål om lønn');
  const second = await fromUnknown('lise@eksempel.no', 'Enda et spørsmål');
  const stranger = await fromUnknown('noen@annet.no', 'Spørsmål om ferie');
  const siri = await login('siri@kundesenter.no');
  const { fromAddress, other } = panel((await siri.get(`/cases/${second.number}`)).body);
  t.equal(other, undefined, 'no customer yet, so no "other cases of the customer"');
  t.ok(listed(fromAddress, first.number), 'the earlier mail from the same address');
  t.notOk(listed(fromAddress, second.number), 'not the case itself');
  t.notOk(listed(fromAddress, stranger.number), 'not mail from another address');
});

/** A caseworker of one area only, made for the test (the demo caseworker works in both). */
async function caseworkerOf(db: Db, login: (email: string) => Promise<Client>, areaCode: string) {
  const area = await db.selectFrom('areas').select('id').where('code', '=', areaCode).executeTakeFirstOrThrow();
  const user = await db
    .insertInto('users')
    .values({ name: 'Rita Regnskap', email: 'rita@kundesenter.no' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.insertInto('user_roles').values({ user_id: user.id, role: 'caseworker', area_id: area.id }).execute();
  return login('rita@kundesenter.no');
}
