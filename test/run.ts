// `npm test`: one PostgreSQL for the whole run, a migrated and seeded template database that each test
// file clones, tap in parallel, and our own reporter that ends with "N passed, N failed, N skipped".
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { adminStatement, freePort } from './net.js';
import { Parser, type Result } from 'tap-parser';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { createDb } from '../src/db/index.js';
import { prepareDatabase } from '../src/database.js';
import { seedDemoData } from '../src/demo/data.js';

const files = process.argv.slice(2);
const template = `ks_template_${process.pid}`;

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

let embedded: EmbeddedServer | undefined;
let tmp: string | undefined;
let adminUrl: string;
if (process.env.DATABASE_URL) {
  adminUrl = withDatabase(process.env.DATABASE_URL, 'postgres');
} else {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ks-test-'));
  embedded = await startEmbeddedPostgres({ dataDir: tmp, port: await freePort(), fast: true });
  adminUrl = embedded.url('postgres');
}

let exitCode = 1;
try {
  await adminStatement(adminUrl, `CREATE DATABASE ${template}`);
  const db = createDb(withDatabase(adminUrl, template), { max: 2 });
  await prepareDatabase(db);
  await seedDemoData(db);
  await db.destroy();

  const counts = await runTap(files.length > 0 ? files : ['test/**/*.test.ts'], {
    ...process.env,
    TEST_ADMIN_URL: adminUrl,
    TEST_TEMPLATE_DB: template,
  });
  const skipped = counts.skipped > 0 ? `, ${counts.skipped} skipped` : '';
  console.log(`${counts.passed} passed, ${counts.failed} failed${skipped}`);
  exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
} finally {
  await adminStatement(adminUrl, `DROP DATABASE IF EXISTS ${template} WITH (FORCE)`).catch(() => {});
  await embedded?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts tests, not assertions: each direct child of a test file is one test. */
function runTap(patterns: string[], env: NodeJS.ProcessEnv): Promise<Counts> {
  const counts: Counts = { passed: 0, failed: 0, skipped: 0 };
  const tapBin = path.join(process.cwd(), 'node_modules', '.bin', 'tap');
  const child = spawn(tapBin, ['--reporter=tap', '--disable-coverage', '--jobs=2', '--timeout=240', ...patterns], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const root = new Parser({ passes: true });
  const failuresByFile = new Map<string, number>();
  root.on('child', (file: Parser) => {
    const fileResults: { result: Result; name: string }[] = [];
    file.on('assert', (result: Result) => fileResults.push({ result, name: result.name }));
    file.on('child', (test: Parser) => {
      // TEST_VERBOSE=1 also prints each test's comments (measured figures) as they come.
      if (process.env.TEST_VERBOSE) test.on('comment', (comment: string) => console.log(`    ${comment.trim()}`));
      // Print the failing assertions of a test, so a red run says what broke.
      test.on('assert', (result: Result) => {
        if (!result.ok && !result.todo && !result.skip)
          console.log(`    not ok - ${result.name}\n${indent(result.diag)}`);
      });
    });
    file.on('complete', () => {
      const fileName = file.name.replace(/^.*?(test\/)/, '$1');
      let failedHere = 0;
      for (const { result } of fileResults) {
        if (process.env.TEST_VERBOSE)
          console.log(`  ${result.ok ? 'ok' : 'not ok'} ${result.name} (${result.time} ms)`);
        if (result.skip || result.todo) counts.skipped++;
        else if (result.ok) counts.passed++;
        else {
          counts.failed++;
          failedHere++;
          console.log(`  not ok - ${fileName} › ${result.name}`);
        }
      }
      failuresByFile.set(file.name, failedHere);
      console.log(`${failedHere === 0 ? 'ok' : 'not ok'} ${fileName} (${fileResults.length} tests)`);
    });
  });
  // A file's own result: not ok with none of its tests failing means it crashed, timed out or did not compile.
  root.on('assert', (result: Result) => {
    if (result.ok || result.skip || result.todo || (failuresByFile.get(result.name) ?? 0) > 0) return;
    counts.failed++;
    console.log(
      `not ok - ${result.name}: the file failed outside its tests (crash, time-out or compile error; see above)`,
    );
  });
  child.stdout.pipe(root);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      if (code !== 0 && counts.failed === 0) {
        counts.failed++;
        console.log(`not ok - tap exited with code ${code} without reporting a failing test`);
      }
      resolve(counts);
    });
  });
}

function indent(diag: unknown): string {
  if (!diag) return '';
  return JSON.stringify(diag, null, 2)
    .split('\n')
    .slice(0, 30)
    .map((line) => `      ${line}`)
    .join('\n');
}
