// The layering rules of docs/architecture.md, checked on the source: a rule a newcomer can break by
// accident fails here with the file and the line to move.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';

const srcDir = path.resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : name.endsWith('.ts') ? [full] : [];
  });
}

interface Import {
  target: string;
  typeOnly: boolean;
}

const files = sourceFiles(srcDir);
const sources = new Map(files.map((file) => [file, readFileSync(file, 'utf8')]));

function importsOf(file: string): Import[] {
  const text = sources.get(file)!;
  const found: Import[] = [];
  for (const match of text.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(\.[^']+)';/gms)) {
    const target = path.resolve(path.dirname(file), match[2]!).replace(/\.js$/, '.ts');
    found.push({ target, typeOnly: match[1] !== undefined });
  }
  for (const match of text.matchAll(/import\('(\.[^']+)'\)/g)) {
    found.push({ target: path.resolve(path.dirname(file), match[1]!).replace(/\.js$/, '.ts'), typeOnly: false });
  }
  return found;
}

/** The layers below the features, lowest first; root modules that every layer may use sit with db. */
const lowerLayers = ['db', 'sla', 'web', 'audit', 'auth'] as const;
const baseModules = new Set(['paths.ts', 'periodic.ts']);

/**
 * A file's layer: a lower layer's index (0 for base modules), 'feature', or 'root' for what wires the
 * app together: app.ts, server.ts, config.ts, database.ts and every command-line entry (*-cli.ts).
 */
function layerOf(file: string): number | 'feature' | 'root' {
  const relative = path.relative(srcDir, file).split(path.sep);
  if (relative.at(-1)!.endsWith('-cli.ts')) return 'root';
  if (relative.length === 1) return baseModules.has(relative[0]!) ? 0 : 'root';
  const index = (lowerLayers as readonly string[]).indexOf(relative[0]!);
  return index >= 0 ? index : 'feature';
}
const name = (file: string) => path.relative(process.cwd(), file);

t.test('db, sla, web, audit and auth never import a feature, and each imports only layers below it', async (t) => {
  const problems: string[] = [];
  for (const file of files) {
    const layer = layerOf(file);
    if (typeof layer !== 'number') continue;
    for (const { target, typeOnly } of importsOf(file)) {
      const targetLayer = layerOf(target);
      if (targetLayer === 'feature' || (targetLayer === 'root' && !typeOnly))
        problems.push(`${name(file)} imports ${name(target)}, which is above it`);
      else if (targetLayer === 'root') continue;
      // A type names a shape, not a dependency at run time: web may describe the auth plugin's decorations.
      else if (!typeOnly && targetLayer > layer)
        problems.push(`${name(file)} imports ${name(target)} (a higher layer)`);
    }
  }
  t.same(problems, []);
});

t.test('no module imports itself through others (no import cycles)', async (t) => {
  const graph = new Map(
    files.map((file) => [
      file,
      importsOf(file)
        .filter((i) => !i.typeOnly)
        .map((i) => i.target),
    ]),
  );
  const cycles: string[] = [];
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (file: string) => {
    const at = onPath.indexOf(file);
    if (at >= 0) return void cycles.push([...onPath.slice(at), file].map(name).join(' → '));
    if (done.has(file)) return;
    onPath.push(file);
    for (const target of graph.get(file) ?? []) visit(target);
    onPath.pop();
    done.add(file);
  };
  for (const file of files) visit(file);
  t.same(cycles, []);
});

t.test('route files parse, call and render: no SQL, no Kysely and no transaction in them', async (t) => {
  const offending = files
    .filter((file) => file.endsWith('routes.ts'))
    .flatMap((file) =>
      sources
        .get(file)!
        .split('\n')
        .map((line, i) => ({ line, at: `${name(file)}:${i + 1}` }))
        .filter(({ line }) =>
          /\.(selectFrom|insertInto|updateTable|deleteFrom|transaction)\(|from 'kysely'|\bsql`/.test(line),
        )
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
  t.same(offending, []);
});

t.test('source files stay small enough to read: at most 400 lines (the generated schema aside)', async (t) => {
  const long = files
    .filter((file) => !file.endsWith(path.join('db', 'schema.ts')))
    .map((file) => ({ file: name(file), lines: sources.get(file)!.split('\n').length }))
    .filter(({ lines }) => lines > 400);
  t.same(long, []);
});
