// Template data merged without spreads (src/web/template-data.ts) must read exactly as the spreads did,
// and Eta's includes and layouts must still see every key after the rewrite (src/web/templates.ts).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { mergeData } from '../src/web/template-data.js';
import { mergeWithoutSpreads, templateEngine } from '../src/web/templates.js';

t.test('a merge is the spread: the same keys in the same order, the later part winning', async (t) => {
  const locals = { t: 'translate', lang: 'nb', flash: undefined, title: 'first' };
  const data = { cases: [1, 2], title: 'second', total: 0 };
  for (let i = 0; i < 3; i++) {
    // Three times: the first compiles the merge, the next ones reuse it.
    const merged = mergeData(locals, data);
    t.same(Object.keys(merged), Object.keys({ ...locals, ...data }));
    t.same(merged, { ...locals, ...data });
    t.ok('flash' in merged, 'a key whose value is undefined is still there');
  }
  const three = mergeData({ a: 1, b: 2 }, { b: 3 }, { c: 4, a: 5 });
  t.same(Object.entries(three), Object.entries({ ...{ a: 1, b: 2 }, ...{ b: 3 }, ...{ c: 4, a: 5 } }));
  t.same(mergeData({}, {}), {});
  t.same(mergeData(mergeData({ a: 1 }, { b: 2 }), { c: 3 }), { a: 1, b: 2, c: 3 }, 'a merge merges again');
});

t.test('a merge cannot be changed afterwards, so what is remembered of its keys stays true', async (t) => {
  const merged = mergeData({ a: 1 }, { b: 2 }) as Record<string, unknown>;
  t.throws(() => {
    merged.c = 3;
  }, TypeError);
  t.same(mergeData(merged, { d: 4 }), { a: 1, b: 2, d: 4 });
});

t.test('the same keys with other values give the other values', async (t) => {
  t.same(mergeData({ a: 1 }, { b: 'x' }), { a: 1, b: 'x' });
  t.same(mergeData({ a: 2 }, { b: 'y' }), { a: 2, b: 'y' });
});

t.test('keys that are not identifiers, and "__proto__", are kept as keys', async (t) => {
  const odd = { 'data-label': 1, "it's": 2, '\u2028': 3, 'a"b': 4, '0': 5, 'x\\y': 6 };
  t.same(mergeData(odd, { z: 7 }), { ...odd, z: 7 });
  const hostile = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>;
  const merged = mergeData({ a: 1 }, hostile);
  t.equal(Object.getPrototypeOf(merged), Object.prototype, 'the prototype is not replaced');
  t.same(Object.keys(merged), ['a', '__proto__', 'x']);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'and nothing is polluted');
});

t.test('more key lists than it keeps: it starts over and still merges right', async (t) => {
  for (let i = 0; i < 2500; i++) {
    const merged = mergeData({ [`k${i}`]: i }, { last: i });
    if (merged[`k${i}`] !== i || merged.last !== i) t.fail(`merge ${i}`);
  }
  t.same(mergeData({ k0: 'again' }, { last: 0 }), { k0: 'again', last: 0 });
});

t.test("Eta's includes and layouts see the page's data and their own", async (t) => {
  const views = mkdtempSync(path.join(os.tmpdir(), 'ks-views-'));
  t.teardown(() => rmSync(views, { recursive: true, force: true }));
  mkdirSync(path.join(views, 'layouts'));
  writeFileSync(path.join(views, 'layouts', 'main.eta'), '<title><%= it.title %></title><%~ it.body %>|<%= it.who %>');
  writeFileSync(
    path.join(views, 'page.eta'),
    "<% layout('/layouts/main', { title: 'Saker' }) %><%~ include('/_part') %>+<%~ include('/_part', { who: 'Siri' }) %>",
  );
  writeFileSync(path.join(views, '_part.eta'), '<%= it.who %>:<%= it.count %>');
  const templates = templateEngine(views);
  t.equal(templates.render('page', mergeData({ who: 'Kari' }, { count: 3 })), '<title>Saker</title>Kari:3+Siri:3|Kari');
});

t.test('an Eta that compiles its merges differently is refused, not quietly slow', async (t) => {
  t.throws(
    () =>
      mergeWithoutSpreads.processFnString('let include = (t, d) => this.render(t, Object.assign({}, it, d));', {
        varName: 'it',
      }),
    /Eta's compiled templates changed/,
  );
});
