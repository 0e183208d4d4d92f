// Synthetic cases for load and benchmarks: set-based SQL in batches, fast for millions of rows.
// The population is skewed like a real shared-services centre: a few large agencies (Demoetaten is the
// largest), a long tail of small ones, Norwegian titles, descriptions and messages.
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/index.js';

export const syntheticAgencyCount = 198;

const subjects = [
  'Feil i',
  'Spørsmål om',
  'Mangler',
  'Endring av',
  'Avvik i',
  'Korrigering av',
  'Forsinket',
  'Ny rutine for',
  'Kontroll av',
  'Manglende',
  'Oppdatering av',
  'Retting av',
  'Purring på',
  'Avklaring om',
  'Registrering av',
];
const objects = [
  'feriepenger',
  'sykepenger',
  'skattetrekk',
  'kontonummer',
  'reiseregning',
  'overtid',
  'lønnsslipp',
  'trekk',
  'fagforeningskontingent',
  'pensjonstrekk',
  'permisjon',
  'tilleggslønn',
  'faktura',
  'periodeavslutning',
  'bilag',
  'leverandørreskontro',
  'mva-rapport',
  'avskrivninger',
  'budsjettrapport',
  'kostnadssted',
  'prosjektnummer',
  'refusjonskrav',
  'arbeidsgiveravgift',
  'a-melding',
  'tilganger',
  'attestasjon',
  'anvisning',
  'hovedbok',
];
const months = [
  'januar',
  'februar',
  'mars',
  'april',
  'mai',
  'juni',
  'juli',
  'august',
  'september',
  'oktober',
  'november',
  'desember',
];
const sentences = [
  'Vi ser at beløpet ikke stemmer med det som ble avtalt.',
  'Den ansatte har tatt kontakt med oss om saken.',
  'Kan dere se på dette så snart som mulig?',
  'Vedlagt ligger dokumentasjonen vi har.',
  'Det ser ut til at registreringen ble gjort i feil periode.',
  'Vi trenger en bekreftelse før fristen.',
  'Saken haster fordi regnskapet skal avsluttes.',
  'Ansattnummeret står i vedlegget.',
  'Hvordan skal vi føre dette i systemet?',
  'Rapporten viser andre tall enn vi forventet.',
  'Lederen har godkjent endringen.',
  'Vi har prøvd flere ganger uten å lykkes.',
  'Gjelder dette også for midlertidig ansatte?',
  'Feilen oppsto etter siste oppdatering.',
  'Kostnadene er ført på feil prosjekt.',
  'Vi ber om at dette rettes i neste kjøring.',
];
/** The one sentence that carries "utbetaling": a term found in about a quarter of all cases. */
const commonSentence = 'Det gjelder utbetaling for denne perioden.';
const messages = [
  'Takk for svar, vi sjekker dette internt.',
  'Vi har sendt oppdatert dokumentasjon.',
  'Endringen er registrert og vil gjelde fra neste lønnskjøring.',
  'Kan dere bekrefte at dette er rettet?',
  'Vi trenger litt mer informasjon for å gå videre.',
  'Saken er løst, og korrigeringen vises på neste lønnsslipp.',
  'Vi har videresendt spørsmålet til rett fagperson.',
];

/** Agencies and users for a realistic spread, added once: agency sizes follow a long tail. */
async function ensurePopulation(db: Db): Promise<void> {
  const { n } = await db
    .selectFrom('agencies')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_number', 'like', '92%')
    .executeTakeFirstOrThrow();
  if (Number(n) >= syntheticAgencyCount) return;
  await sql`
    INSERT INTO agencies (org_number, name)
    SELECT '92' || lpad(i::text, 7, '0'), 'Etat ' || lpad(i::text, 3, '0')
    FROM generate_series(1, ${syntheticAgencyCount}) i
    ON CONFLICT (org_number) DO NOTHING`.execute(db);
  // Users per agency: Demoetaten 1000, Testdirektoratet 400, the rest about 3600 on a long tail.
  await sql`
    WITH sizes AS (
      SELECT a.id, a.name,
             CASE a.name WHEN 'Demoetaten' THEN 1000 WHEN 'Testdirektoratet' THEN 400
                  ELSE greatest(3, round(3600 * (1.0 / power(substr(a.org_number, 3)::int, 0.9)) / 10.8))::int END AS users
      FROM agencies a WHERE a.name IN ('Demoetaten', 'Testdirektoratet') OR a.org_number LIKE '92%'
    ), people AS (
      SELECT s.id AS agency_id, s.name AS agency, g AS i FROM sizes s, generate_series(1, s.users) g
    ), inserted AS (
      INSERT INTO users (email, name)
      SELECT 'bruker' || p.i || '@' || lower(replace(p.agency, ' ', '-')) || '.seed.no', 'Bruker ' || p.i || ' ' || p.agency FROM people p
      ON CONFLICT (email) DO NOTHING
      RETURNING id, email
    )
    INSERT INTO agency_members (user_id, agency_id)
    SELECT i.id, a.id FROM inserted i JOIN agencies a ON i.email LIKE '%@' || lower(replace(a.name, ' ', '-')) || '.seed.no'`.execute(
    db,
  );
}

export interface SeedOptions {
  onProgress?: (done: number) => void;
  /**
   * Drop the indexes of cases and case events that no constraint needs, and build them again after the
   * last batch, all in one transaction: keeping some forty indexes up to date row by row costs most of a
   * bulk load (PostgreSQL's "Populating a Database"). The tables are locked meanwhile, so only for a
   * database nobody uses yet (the bench's own).
   */
  rebuildIndexes?: boolean;
}

/** Adds `total` cases with their events, spread over agencies, areas, statuses and three years. */
export async function seedCases(db: Db, total: number, options: SeedOptions = {}): Promise<void> {
  if (total <= 0) return;
  await ensurePopulation(db);
  const onProgress = options.onProgress ?? (() => {});
  const batches = async (into: Db) => {
    const batch = 50_000;
    for (let done = 0; done < total; done += batch) {
      const size = Math.min(batch, total - done);
      await inTransaction(into, (trx) => insertBatch(trx, size));
      onProgress(Math.min(done + size, total));
    }
  };
  if (!options.rebuildIndexes) return batches(db);
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    await sql`SET LOCAL maintenance_work_mem = '256MB'`.execute(trx);
    const { rows: indexes } = await sql<{ name: string; definition: string }>`
      SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i
      WHERE i.indrelid IN ('cases'::regclass, 'case_events'::regclass)
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
      ORDER BY 1`.execute(trx);
    for (const index of indexes) await sql`DROP INDEX ${sql.id(index.name)}`.execute(trx);
    await batches(trx);
    for (const index of indexes) await sql.raw(index.definition).execute(trx);
  });
}

/** One batch of `size` cases and their events, in the caller's transaction. */
async function insertBatch(trx: Db, size: number): Promise<void> {
  // Counters are locked for the batch so concurrent submissions never reuse a number.
  await sql`LOCK TABLE case_number_counters IN EXCLUSIVE MODE`.execute(trx);
  // The search column is written here in one pass, exactly as the triggers would compute it, instead
  // of one trigger update per message; the triggers are back on before the transaction ends.
  await sql`ALTER TABLE cases DISABLE TRIGGER cases_search_refresh`.execute(trx);
  await sql`ALTER TABLE case_events DISABLE TRIGGER case_events_search_append`.execute(trx);
  // Measured below, in the same way and all at once.
  await sql`ALTER TABLE cases DISABLE TRIGGER cases_measure`.execute(trx);
  // Synthetic cases announce nothing to webhook subscribers.
  await sql`ALTER TABLE case_events DISABLE TRIGGER case_events_webhooks`.execute(trx);
  // A batch is a bulk job, not a request: the request-sized statement timeout does not apply.
  await sql`SET LOCAL statement_timeout = 0`.execute(trx);
  await sql`
    WITH people AS (
      -- Requesters are drawn by slot number through a join: subscripting big arrays per row copies them.
      SELECT row_number() OVER (ORDER BY m.user_id) AS slot, m.user_id, m.agency_id, u.name FROM agency_members m JOIN users u ON u.id = m.user_id
    ),
    population AS (SELECT count(*) AS size FROM people),
    areas AS (SELECT array_agg(id ORDER BY sort_order, id) AS ids FROM areas WHERE active),
    forms AS (SELECT array_agg(id ORDER BY area_id, sort_order) FILTER (WHERE purpose = 'case') AS ids, array_agg(area_id ORDER BY area_id, sort_order) FILTER (WHERE purpose = 'case') AS areas FROM forms),
    categories AS (SELECT array_agg(id ORDER BY id) AS ids, array_agg(area_id ORDER BY id) AS areas FROM categories),
    routes AS (SELECT array_agg(group_id ORDER BY area_id) AS ids, array_agg(area_id ORDER BY area_id) AS areas FROM routing_rules WHERE form_id IS NULL),
    bank AS (
      SELECT ${sql.val(subjects)}::text[] AS subjects, ${sql.val(objects)}::text[] AS objects, ${sql.val(months)}::text[] AS months,
             ${sql.val(sentences)}::text[] AS sentences, ${sql.val(messages)}::text[] AS messages
    ),
    draws AS (
      SELECT now() - power(random(), 1.3) * interval '3 years' AS created_at,
             1 + floor(random() * p.size)::int AS who,
             CASE WHEN random() < 0.6 THEN a.ids[1] ELSE coalesce(a.ids[2], a.ids[1]) END AS area_id,
             (ARRAY['web','web','web','web','email','email','phone'])[1 + floor(random() * 7)::int] AS channel,
             random() AS r1, random() AS r2, random() AS r3, random() AS r4, random() AS r5
      FROM generate_series(1, ${size}) g, population p, areas a
    ),
    written AS (
      -- Only scalar columns leave this step: wide rows would make the numbering sort spill to disk.
      SELECT d.created_at, d.who, d.area_id, d.channel, d.r1, d.r4, d.r5,
             b.subjects[1 + floor(d.r1 * array_length(b.subjects, 1))::int] || ' ' ||
             b.objects[1 + floor(d.r2 * array_length(b.objects, 1))::int] || ' ' ||
             b.months[1 + floor(d.r3 * 12)::int] AS title,
             b.sentences[1 + floor(d.r2 * 16)::int] || ' ' || b.sentences[1 + floor(d.r4 * 16)::int] ||
             CASE WHEN d.r5 < 0.25 THEN ' ' || ${commonSentence} ELSE '' END || ' ' ||
             b.sentences[1 + floor(d.r1 * 16)::int] AS body,
             b.messages[1 + floor(d.r4 * array_length(b.messages, 1))::int] AS message,
             CASE WHEN d.created_at < now() - interval '60 days' THEN
                    (ARRAY['closed','closed','closed','closed','closed','closed','closed','closed','awaiting_customer','postponed'])[1 + floor(d.r3 * 10)::int]
                  ELSE (ARRAY['active','in_progress','in_progress','awaiting_customer','closed','postponed'])[1 + floor(d.r3 * 6)::int] END AS status
      FROM draws d, bank b
    ),
    sequenced AS (
      SELECT w.*, people.user_id AS requester_id, people.agency_id, people.name AS requester_name,
             extract(year FROM w.created_at AT TIME ZONE 'Europe/Oslo')::int AS year,
             row_number() OVER (PARTITION BY extract(year FROM w.created_at AT TIME ZONE 'Europe/Oslo') ORDER BY w.created_at) AS seq
      FROM written w JOIN people ON people.slot = w.who
    ),
    numbered AS (
      SELECT s.*, s.year || '-' || lpad((coalesce(c.last_value, 0) + s.seq)::text, 6, '0') AS number
      FROM sequenced s LEFT JOIN case_number_counters c ON c.year = s.year
    ),
    timed AS (
      SELECT n.*, least(now(), n.created_at + n.r4 * interval '30 days') AS last_change
      FROM numbered n
    ),
    answered AS (
      -- Answered soon after arrival mostly, by the last change at the latest; some new cases not yet.
      SELECT t.*,
             CASE WHEN t.status = 'active' AND t.r5 < 0.7 THEN NULL
                  ELSE t.created_at + power(t.r1, 3) * (t.last_change - t.created_at) END AS answered_at,
             CASE WHEN t.status = 'closed' THEN t.last_change END AS closed_at
      FROM timed t
    ),
    -- What cases_measure() records (it is off for the batch: working_ms walks every day of every case,
    -- most of a batch's time), computed from one running sum over the calendar instead. The working time
    -- up to an instant t is the working days' length before t's day plus, on a working day, t's part of
    -- it; working_ms(a, b) is the difference, to the microsecond (days of 23 and 25 hours included).
    days AS (
      SELECT g::date AS day,
             g::date::timestamp AT TIME ZONE 'Europe/Oslo' AS starts,
             extract(epoch FROM (g::date + 1)::timestamp AT TIME ZONE 'Europe/Oslo' - g::date::timestamp AT TIME ZONE 'Europe/Oslo') * 1000 AS length_ms,
             extract(isodow FROM g) < 6
               AND NOT EXISTS (SELECT 1 FROM public_holidays h WHERE h.day = g::date)
               AND NOT EXISTS (SELECT 1 FROM closed_days c WHERE c.day = g::date) AS working
      FROM generate_series(((SELECT min(created_at) FROM timed) AT TIME ZONE 'Europe/Oslo')::date,
                           (now() AT TIME ZONE 'Europe/Oslo')::date + 1, interval '1 day') g
    ),
    calendar AS (
      SELECT day, starts, working,
             coalesce(sum(CASE WHEN working THEN length_ms ELSE 0 END) OVER (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before_ms
      FROM days
    ),
    measured AS (
      SELECT a.*,
             CASE WHEN a.answered_at IS NOT NULL THEN greatest(0, (answered.before_ms + CASE WHEN answered.working THEN extract(epoch FROM a.answered_at - answered.starts) * 1000 ELSE 0 END)
               - (created.before_ms + CASE WHEN created.working THEN extract(epoch FROM a.created_at - created.starts) * 1000 ELSE 0 END))::bigint END AS first_answer_ms,
             CASE WHEN a.closed_at IS NOT NULL THEN greatest(0, (closed.before_ms + CASE WHEN closed.working THEN extract(epoch FROM a.closed_at - closed.starts) * 1000 ELSE 0 END)
               - (created.before_ms + CASE WHEN created.working THEN extract(epoch FROM a.created_at - created.starts) * 1000 ELSE 0 END))::bigint END AS resolution_ms
      FROM answered a
      JOIN calendar created ON created.day = (a.created_at AT TIME ZONE 'Europe/Oslo')::date
      LEFT JOIN calendar answered ON answered.day = (a.answered_at AT TIME ZONE 'Europe/Oslo')::date
      LEFT JOIN calendar closed ON closed.day = (a.closed_at AT TIME ZONE 'Europe/Oslo')::date
    ),
    inserted AS (
      INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, requester_name, channel, status, created_at, updated_at, due_at,
                         first_answered_at, closed_at, answered_in_time, first_answer_ms, resolution_ms, group_id, form_id, category_id, search)
      SELECT n.number, n.title, n.body, n.area_id, n.agency_id, n.requester_id, n.requester_name, n.channel, n.status, n.created_at,
             n.last_change, n.created_at + interval '2 days',
             n.answered_at, n.closed_at, n.answered_at <= n.created_at + interval '2 days', n.first_answer_ms, n.resolution_ms,
             rt.ids[array_position(rt.areas, n.area_id)],
             CASE WHEN n.channel = 'web' THEN f.ids[array_position(f.areas, n.area_id)] END,
             CASE WHEN n.r5 < 0.7 THEN cat.ids[array_position(cat.areas, n.area_id) + floor(n.r1 * 3)::int] END,
             setweight(to_tsvector('norwegian', n.number || ' ' || n.title), 'A') ||
             setweight(to_tsvector('norwegian', n.body), 'B') ||
             setweight(to_tsvector('norwegian', n.message), 'C')
      FROM measured n, forms f, categories cat, routes rt
      RETURNING id, number, requester_id, created_at, channel
    ),
    counters AS (
      INSERT INTO case_number_counters (year, last_value)
      SELECT year, count(*) FROM numbered GROUP BY year
      ON CONFLICT (year) DO UPDATE SET last_value = case_number_counters.last_value + excluded.last_value
    )
    INSERT INTO case_events (case_id, kind, actor_id, data, created_at)
    SELECT i.id, 'created', i.requester_id, jsonb_build_object('channel', i.channel), i.created_at FROM inserted i
    UNION ALL
    SELECT i.id, 'message', i.requester_id, jsonb_build_object('body', n.message, 'from', 'customer'), i.created_at + interval '1 day'
    FROM inserted i JOIN numbered n ON n.number = i.number
  `.execute(trx);
  await sql`ALTER TABLE cases ENABLE TRIGGER cases_search_refresh`.execute(trx);
  await sql`ALTER TABLE cases ENABLE TRIGGER cases_measure`.execute(trx);
  await sql`ALTER TABLE case_events ENABLE TRIGGER case_events_search_append`.execute(trx);
  await sql`ALTER TABLE case_events ENABLE TRIGGER case_events_webhooks`.execute(trx);
}
