// `npm run audit:verify`: walks the audit trail's hash chain with AUDIT_KEY and says whether it holds.
// Exit code 0 when every entry is intact, 1 at the first entry that was changed, removed or inserted.
import { withDatabase } from '../cli.js';
import { verifyAudit } from './log.js';

await withDatabase(async (db, config) => {
  const result = await verifyAudit(db, config.auditKey);
  if (result.ok) {
    console.log(`The audit trail is intact: ${result.entries} entries.`);
    // The chainer links new entries just after their commit; a few waiting is normal on a busy day.
    if (result.unlinked > 0) console.log(`${result.unlinked} newer entries are waiting to be linked.`);
    return;
  }
  const what = {
    hash: 'its content does not match its hash',
    link: 'it does not point to the entry before it',
    gap: 'an entry is missing before it',
  }[result.reason];
  console.error(
    `The audit trail is broken at entry ${result.brokenAt}: ${what}. ${result.entries} entries before it are intact.`,
  );
  process.exitCode = 1;
});
