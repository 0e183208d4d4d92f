// Reads of the API's own tables that pages use too.
import type { Db } from '../db/index.js';

/** The case's references in specialist systems ("Saken i fagsystemet"), by system. */
export async function caseReferences(db: Db, caseId: number) {
  return db
    .selectFrom('case_references')
    .select(['system', 'external_id as id', 'url', 'updated_at'])
    .where('case_id', '=', caseId)
    .orderBy('system')
    .execute();
}
