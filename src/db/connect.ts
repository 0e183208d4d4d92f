// One code path for every environment: DATABASE_URL when set, otherwise the embedded server.
import type { Config } from '../config.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import pg from 'pg';

export interface DatabaseTarget {
  url: string;
  embedded: EmbeddedServer | undefined;
}

export async function databaseTarget(config: Config, log: (message: string) => void): Promise<DatabaseTarget> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  const embedded = await startEmbeddedPostgres({ dataDir: config.dataDir, port: config.embeddedPgPort, log });
  await ensureDatabase(embedded.url('postgres'), 'kundesenter');
  return { url: embedded.url('kundesenter'), embedded };
}

export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}
