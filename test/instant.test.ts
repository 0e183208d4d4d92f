// What pages write as bytes and as instants: the same text as the built-ins they stand in for
// (src/web/instant.ts, `utf8` in src/web/render.ts), whatever the instant or the characters.
import t from 'tap';
import { isoInstant } from '../src/web/instant.js';
import { utf8 } from '../src/web/render.js';

const same = (date: Date) => {
  let expected: string;
  try {
    expected = date.toISOString();
  } catch (error) {
    return t.throws(() => isoInstant(date), error as Error, `${date.getTime()} throws as toISOString does`);
  }
  return t.equal(isoInstant(date), expected, `${expected}`);
};

t.test('an instant is written as toISOString writes it', async (t) => {
  const edges = [
    '1970-01-01T00:00:00.000Z',
    '1969-12-31T23:59:59.999Z',
    '1000-01-01T00:00:00.000Z',
    '0999-12-31T23:59:59.999Z',
    '9999-12-31T23:59:59.999Z',
    '+010000-01-01T00:00:00.000Z',
    '1900-02-28T12:00:00.000Z',
    '1900-03-01T00:00:00.000Z',
    '2000-02-29T23:59:59.999Z',
    '2000-03-01T00:00:00.000Z',
    '2024-02-29T08:15:30.007Z',
    '2026-12-31T23:59:59.999Z',
    '2027-01-01T00:00:00.000Z',
    '2100-02-28T23:59:59.000Z',
    '2100-03-01T00:00:00.000Z',
  ];
  for (const text of edges) same(new Date(text));
  // Every day of four years around now, at a time that changes with the day, then random instants from
  // before the year 1000 to after 9999 (those go to toISOString itself).
  let wrong = 0;
  const start = Date.UTC(2024, 0, 1);
  for (let day = 0; day < 4 * 366; day++) {
    const date = new Date(start + day * 86_400_000 + ((day * 7_919_123) % 86_400_000));
    if (isoInstant(date) !== date.toISOString()) wrong++;
  }
  for (let i = 0; i < 200_000; i++) {
    const date = new Date(Math.round((Math.random() * 2 - 0.7) * 3e14));
    if (isoInstant(date) !== date.toISOString()) wrong++;
  }
  t.equal(wrong, 0, 'no day of 2024–2027 and none of 200,000 random instants is written differently');
  t.throws(() => isoInstant(new Date(Number.NaN)), RangeError, 'an invalid date throws, as toISOString does');
});

t.test('a page is encoded as Buffer.from encodes it', async (t) => {
  const texts: [string, string][] = [
    ['empty', ''],
    ['ASCII', '<p class="ds-paragraph">Saker</p>'.repeat(500)],
    ['Norwegian letters', 'Lønn og feriepenger for ansatte på Ås – særskilt'.repeat(300)],
    ['three bytes each, more than the room allowed', '€–…▼'.repeat(2000)],
    ['astral characters', '😀 svar 😀'.repeat(500)],
    ['a lone surrogate', `før\ud800etter${'x'.repeat(100)}\udc00`],
    ['a surrogate pair split at the end of the room', `${'a'.repeat(60)}😀😀`],
  ];
  for (const [label, text] of texts) {
    const bytes = utf8(text);
    t.ok(Buffer.isBuffer(bytes), `${label}: a Buffer`);
    t.ok(bytes.equals(Buffer.from(text)), `${label}: the same bytes`);
  }
  // Every length around where the room runs out, with a multi-byte character at each position.
  let wrong = 0;
  for (let length = 0; length < 200; length++)
    for (const character of ['ø', '€', '😀']) {
      const text = 'a'.repeat(length) + character.repeat(Math.ceil(length / 4) + 1);
      if (!utf8(text).equals(Buffer.from(text))) wrong++;
    }
  t.equal(wrong, 0, 'no length near the edge of the room is encoded differently');
});
