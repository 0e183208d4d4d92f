// The data a template reads, merged without spreading. In Node 20's V8 an object made by a spread and then
// given more keys (`{ ...it, title }`; `{ ...locals, ...data }` with a few dozen keys) takes a slow path
// for every key added: 5–100 µs per merge, and the result is often left in dictionary mode, where each
// `it.x` a template reads is a hash lookup. A page merges its data several times (the request's locals
// with the route's data, every include, the layout), so each merge here is one object literal holding
// every key, compiled once for each set of keys: built in a microsecond or two, read at full speed.

type Parts = readonly object[];
type Merge = (parts: Parts) => Record<string, unknown>;

/** A node per part's keys, in the order of the parts: the merge for exactly these key lists. */
interface Shapes {
  next: Map<string, Shapes>;
  merge?: { build: Merge; keys: string };
}

const shapes: Shapes = { next: new Map() };
let compiled = 0;
/** Key lists come from our own code, so they are few; past this many something is wrong, and it starts over. */
const keptMerges = 2000;

/** The key list of a merge's result, kept so the next merge that starts from it need not list it again. */
const keysOf = new WeakMap<object, string>();

const keyList = (part: object) => keysOf.get(part) ?? JSON.stringify(Object.keys(part));

function compile(keyLists: readonly string[]): { build: Merge; keys: string } {
  const source = new Map<string, number>();
  keyLists.forEach((list, index) => {
    for (const key of JSON.parse(list) as string[]) source.set(key, index);
  });
  const keys = JSON.stringify([...source.keys()]);
  // A literal's "__proto__" sets the prototype instead of a key; fromEntries keeps it a key, as a spread does.
  if (source.has('__proto__'))
    return { build: (parts) => Object.fromEntries(parts.flatMap((part) => Object.entries(part))), keys };
  const fields = [...source].map(([key, index]) => `${JSON.stringify(key)}: p[${index}][${JSON.stringify(key)}]`);
  return { build: new Function('p', `return {${fields.join(', ')}};`) as Merge, keys };
}

/**
 * `{ ...parts[0], ...parts[1], … }`: the same keys in the same order, a later part's value winning, from
 * own enumerable string keys (the only kind template data has).
 */
export function mergeData<A extends object, B extends object>(a: A, b: B): Readonly<Omit<A, keyof B> & B>;
export function mergeData<A extends object, B extends object, C extends object>(
  a: A,
  b: B,
  c: C,
): Readonly<Omit<Omit<A, keyof B> & B, keyof C> & C>;
export function mergeData(...parts: Parts): Readonly<Record<string, unknown>>;
export function mergeData(...parts: Parts): Readonly<Record<string, unknown>> {
  let node = shapes;
  const lists: string[] = [];
  for (const part of parts) {
    const list = keyList(part);
    lists.push(list);
    let next = node.next.get(list);
    if (!next) {
      if (compiled >= keptMerges) {
        shapes.next.clear();
        compiled = 0;
      }
      next = { next: new Map() };
      node.next.set(list, next);
    }
    node = next;
  }
  if (!node.merge) {
    compiled++;
    node.merge = compile(lists);
  }
  // Frozen: its key list is remembered, so a key added later would be missed by the next merge from it;
  // adding one throws instead (0.1 µs for a page's data).
  const merged = Object.freeze(node.merge.build(parts));
  keysOf.set(merged, node.merge.keys);
  return merged;
}
