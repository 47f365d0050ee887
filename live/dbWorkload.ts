/**
 * The database work the live test's Queries panels must rank: one slow statement (a report that
 * takes SLOW_STATEMENT_SECONDS) and one table read by sequential scan (a filter on a column with
 * no index), beside the demo app's indexed, fast queries; plus an index no query ever uses. Runs
 * on its own connection until stop().
 */
import { Client } from 'pg';

/** A marker in the slow statement's text, so the test can find it among the statements. */
export const SLOW_STATEMENT_MARKER = 'observatory_slow_report';
export const SLOW_STATEMENT_SECONDS = 0.3;
/** The table read by sequential scans, and its size in rows: large next to the demo app's items. */
export const SEQ_SCANNED_TABLE = 'live_events';
export const SEQ_SCANNED_ROWS = 20_000;
/** An index on a column no query filters on: zero scans since the stats reset. */
export const UNUSED_INDEX = 'live_events_payload_idx';
const EVERY_MS = 500;

export interface DbWorkload {
  stop(): Promise<void>;
}

export async function startDbWorkload(dsn: string): Promise<DbWorkload> {
  const client = new Client({ connectionString: dsn });
  await client.connect();
  await client.query(`CREATE TABLE IF NOT EXISTS ${SEQ_SCANNED_TABLE} (id bigint PRIMARY KEY, kind int NOT NULL, payload text NOT NULL)`);
  await client.query(`INSERT INTO ${SEQ_SCANNED_TABLE} SELECT g, g % 50, md5(g::text) FROM generate_series(1, ${SEQ_SCANNED_ROWS}) g ON CONFLICT DO NOTHING`);
  await client.query(`CREATE INDEX IF NOT EXISTS ${UNUSED_INDEX} ON ${SEQ_SCANNED_TABLE} (payload)`);
  await client.query(`ANALYZE ${SEQ_SCANNED_TABLE}`);
  let stopped = false;
  let tick = 0;
  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      try {
        // No index on kind: every run reads the whole table.
        await client.query(`SELECT count(*) FROM ${SEQ_SCANNED_TABLE} WHERE kind = $1`, [tick % 50]);
        if (tick % 2 === 0) await client.query(`SELECT pg_sleep($1) AS ${SLOW_STATEMENT_MARKER}`, [SLOW_STATEMENT_SECONDS]);
      } catch {
        if (stopped) break;
      }
      tick++;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, EVERY_MS - (Date.now() - started))));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
      await client.end().catch(() => undefined);
    },
  };
}
