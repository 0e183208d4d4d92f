// Reads of the API's own tables that pages use too.
import { preparedMark, type Db } from '../db/index.js';
import type { ApiClient } from './clients.js';

/** The case's references in specialist systems ("Saken i fagsystemet"), by system. */
export async function caseReferences(db: Db, caseId: number) {
  return db
    .selectFrom('case_references')
    .select(['system', 'external_id as id', 'url', 'updated_at'])
    .where('case_id', '=', caseId)
    .orderBy('system')
    .modifyEnd(preparedMark)
    .execute();
}

export interface DeliveryFilter {
  type?: string | undefined;
  period?: string | undefined;
  /** The last id of the previous page. */
  after?: number | undefined;
  limit: number;
}

/**
 * Periodic-report deliveries a client may read, newest first: every agency's for the centre's clients,
 * the agency's own in the areas it buys for an agency's. Replaced versions are listed too, marked.
 */
export async function reportDeliveries(db: Db, client: ApiClient, filter: DeliveryFilter) {
  let query = db
    .selectFrom('report_deliveries as d')
    .innerJoin('report_types as t', 't.id', 'd.report_type_id')
    .innerJoin('agencies as a', 'a.id', 'd.agency_id')
    .select([
      'd.id',
      'd.receipt',
      't.code as type',
      'd.period',
      'd.version',
      'a.org_number as agency_org_number',
      'a.name as agency',
      'd.channel',
      'd.row_count',
      'd.control_sums',
      'd.delivered_at',
      'd.replaced_at',
    ])
    .orderBy('d.id', 'desc')
    .limit(filter.limit + 1);
  if (client.reach === 'agency')
    query = query
      .where('d.agency_id', '=', client.agencyId!)
      .where(({ exists, selectFrom }) =>
        exists(
          selectFrom('agency_areas')
            .select('area_id')
            .whereRef('agency_areas.area_id', '=', 't.area_id')
            .where('agency_areas.agency_id', '=', client.agencyId!),
        ),
      );
  if (filter.type) query = query.where('t.code', '=', filter.type);
  if (filter.period) query = query.where('d.period', '=', filter.period);
  if (filter.after !== undefined) query = query.where('d.id', '<', filter.after);
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  return { rows: page, next: rows.length > filter.limit ? String(page.at(-1)!.id) : null };
}
