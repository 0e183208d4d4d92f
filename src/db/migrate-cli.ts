// `npm run migrate`: apply pending migrations to DATABASE_URL (or the embedded development database).
import { withDatabase } from '../cli.js';

await withDatabase(async () => {});
