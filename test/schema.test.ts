import { spawnSync } from 'node:child_process';
import t from 'tap';
import { freshDatabase } from './helpers.js';

t.test('src/db/schema.ts matches the migrated database (kysely-codegen --verify)', async (t) => {
  const { url } = await freshDatabase(t);
  const result = spawnSync('node_modules/.bin/kysely-codegen', ['--verify', ...codegenArgs(url)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  t.equal(result.status, 0, result.stdout + result.stderr);
});

function codegenArgs(url: string): string[] {
  return [
    '--dialect',
    'postgres',
    '--url',
    url,
    '--out-file',
    'src/db/schema.ts',
    '--exclude-pattern',
    'kysely_*',
    '--type-mapping',
    '{"int8":"number"}',
    '--date-parser',
    'string',
  ];
}
