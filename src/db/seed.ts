// Synthetic cases for load and benchmarks: set-based SQL in batches, fast for millions of rows.
import { sql } from 'kysely';
import type { Db } from './index.js';

const titles = [
  'Feil i feriepenger', 'Manglende refusjon av sykepenger', 'Spørsmål om skattetrekk', 'Endring av kontonummer',
  'Bilag til utbetaling', 'Reiseregning avvist', 'Tilgang til lønnssystemet', 'Periodeavslutning mars',
  'Faktura bokført i feil periode', 'Avvik i lønnsslipp', 'Ny ansatt mangler i systemet', 'Overtid ikke utbetalt',
];

/** Adds `total` cases (and their created and message events) spread over agencies, areas, statuses and three years. */
export async function seedCases(db: Db, total: number, onProgress: (done: number) => void = () => {}): Promise<void> {
  const batch = 50_000;
  for (let done = 0; done < total; done += batch) {
    const size = Math.min(batch, total - done);
    await db.transaction().execute(async (trx) => {
      // Counters are locked for the batch so concurrent submissions never reuse a number.
      await sql`LOCK TABLE case_number_counters IN EXCLUSIVE MODE`.execute(trx);
      await sql`
        WITH requesters AS (
          SELECT array_agg(m.user_id ORDER BY m.user_id) AS users, array_agg(m.agency_id ORDER BY m.user_id) AS agencies
          FROM agency_members m
        ), areas AS (SELECT array_agg(id ORDER BY id) AS ids FROM areas WHERE active),
        generated AS (
          SELECT g,
                 now() - random() * interval '3 years' AS created_at,
                 1 + floor(random() * array_length(r.users, 1))::int AS who,
                 a.ids[1 + floor(random() * array_length(a.ids, 1))::int] AS area_id,
                 (ARRAY['active','in_progress','awaiting_customer','closed','closed','closed','postponed'])[1 + floor(random() * 7)::int] AS status,
                 (ARRAY['web','web','web','email','phone'])[1 + floor(random() * 5)::int] AS channel,
                 ${sql.val(titles)}::text[] AS titles
          FROM generate_series(1, ${size}) g, requesters r, areas a
        ),
        numbered AS (
          SELECT gen.*, r.users[who] AS requester_id, r.agencies[who] AS agency_id,
                 extract(year FROM gen.created_at AT TIME ZONE 'Europe/Oslo')::int AS year,
                 row_number() OVER (PARTITION BY extract(year FROM gen.created_at AT TIME ZONE 'Europe/Oslo') ORDER BY gen.created_at) AS seq
          FROM generated gen, requesters r
        ),
        inserted AS (
          INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, channel, status, created_at, updated_at)
          SELECT n.year || '-' || lpad((coalesce(c.last_value, 0) + n.seq)::text, 6, '0'),
                 n.titles[1 + (n.g % array_length(n.titles, 1))],
                 'Syntetisk sak for test og ytelsesmåling. ' || repeat('Beskrivelse av saken. ', 1 + (n.g % 8)),
                 n.area_id, n.agency_id, n.requester_id, n.channel, n.status, n.created_at,
                 n.created_at + random() * interval '20 days'
          FROM numbered n LEFT JOIN case_number_counters c ON c.year = n.year
          RETURNING id, requester_id, created_at, status
        ),
        counters AS (
          INSERT INTO case_number_counters (year, last_value)
          SELECT year, count(*) FROM numbered GROUP BY year
          ON CONFLICT (year) DO UPDATE SET last_value = case_number_counters.last_value + excluded.last_value
        )
        INSERT INTO case_events (case_id, kind, actor_id, data, created_at)
        SELECT id, 'created', requester_id, '{"channel":"seed"}'::jsonb, created_at FROM inserted
        UNION ALL
        SELECT id, 'message', requester_id, '{"text":"Syntetisk melding"}'::jsonb, created_at + interval '1 day' FROM inserted
      `.execute(trx);
    });
    onProgress(Math.min(done + size, total));
  }
}
