// Locates the project's own folders whether we run from src/ (tsx) or dist/src/ (compiled).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const appRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const migrationsDir = path.join(appRoot, 'migrations');
export const viewsDir = path.join(appRoot, 'views');
export const publicDir = path.join(appRoot, 'public');
export const localesDir = path.join(appRoot, 'locales');
