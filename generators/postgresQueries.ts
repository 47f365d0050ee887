/**
 * The queries file postgres_exporter reads with --extend.query-path: the tables with the most
 * rows read by sequential scans and the largest indexes never scanned, each bounded by a LIMIT
 * from exporters.postgres.limits. The exporter's own per-table collectors (stat_user_tables,
 * statio_user_tables) export 20+ series for every table with no bound, so the stack turns them
 * off and exports these top-N lists instead (docs/dashboards.md, "Queries", says what each costs).
 *
 * Metric names are `<query>_<column>`: pg_table_seq_scans_total, ..., pg_unused_index_size_bytes
 * (catalog/postgres.ts). The exporter adds a `server` label to each.
 */
import type { StackConfig } from '../stacks/config/schema';
import { generatedHeader, toYaml } from './yaml';

/** Where the queries file is mounted in the postgres_exporter container. */
export const POSTGRES_QUERIES_DIR = '/etc/postgres_exporter';
export const POSTGRES_QUERIES_FILE = `${POSTGRES_QUERIES_DIR}/queries.yaml`;
export const POSTGRES_QUERIES_ARTIFACT = 'postgres-exporter/queries.yaml';

type Usage = 'LABEL' | 'COUNTER' | 'GAUGE';
interface UserQuery {
  query: string;
  metrics: Record<string, { usage: Usage; description: string }>[];
}

const column = (name: string, usage: Usage, description: string) => ({ [name]: { usage, description } });
const TABLE_LABELS = [
  column('datname', 'LABEL', 'Database name.'),
  column('schemaname', 'LABEL', 'Schema of the table.'),
  column('relname', 'LABEL', 'Table name.'),
];

export function buildPostgresQueries(config: StackConfig): Record<string, UserQuery> {
  const { tables, indexes } = config.exporters.postgres.limits;
  return {
    pg_table: {
      // Rows read sequentially is what a missing index costs; the count of scans alone ranks a
      // tiny lookup table read often above a large one read in full.
      query: [
        'SELECT current_database() AS datname, schemaname, relname,',
        '  COALESCE(seq_scan, 0) AS seq_scans_total, COALESCE(seq_tup_read, 0) AS seq_rows_read_total,',
        '  COALESCE(idx_scan, 0) AS index_scans_total, pg_table_size(relid) AS size_bytes',
        'FROM pg_stat_user_tables',
        `ORDER BY seq_tup_read DESC NULLS LAST, relid LIMIT ${tables}`,
      ].join('\n'),
      metrics: [
        ...TABLE_LABELS,
        column('seq_scans_total', 'COUNTER', 'Sequential scans started on the table.'),
        column('seq_rows_read_total', 'COUNTER', 'Live rows read by sequential scans.'),
        column('index_scans_total', 'COUNTER', 'Index scans started on the table.'),
        column('size_bytes', 'GAUGE', 'Disk space of the table without its indexes.'),
      ],
    },
    pg_unused_index: {
      // Unique indexes enforce constraints even when no query reads them: never "unused".
      query: [
        'SELECT current_database() AS datname, s.schemaname, s.relname, s.indexrelname, pg_relation_size(s.indexrelid) AS size_bytes',
        'FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid',
        'WHERE s.idx_scan = 0 AND NOT i.indisunique',
        `ORDER BY pg_relation_size(s.indexrelid) DESC, s.indexrelid LIMIT ${indexes}`,
      ].join('\n'),
      metrics: [...TABLE_LABELS, column('indexrelname', 'LABEL', 'Index name.'), column('size_bytes', 'GAUGE', 'Disk space of the index.')],
    },
  };
}

export function renderPostgresQueries(config: StackConfig): string {
  return toYaml(buildPostgresQueries(config), generatedHeader(config.stack, 'generators/postgresQueries.ts and exporters.postgres.limits'));
}
