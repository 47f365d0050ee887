/** Database & Redis: the PostgreSQL and Redis servers themselves, from their exporters. */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as pg from '../catalog/postgres';
import { series } from '../catalog/query';
import * as redis from '../catalog/redis';
import type { StackConfig } from '../stacks/config/schema';
import { baseDashboard } from './base';
import { withRows } from './common';
import { postgresRow } from './rows/postgres';
import { redisServerRow } from './rows/redisServer';
import { statementsRow } from './rows/statements';
import { labelValuesVariable, PG_INSTANCE } from './variables';

export function databaseRedisDashboard(config: StackConfig): dashboard.DashboardBuilder {
  const t = config.alerts.thresholds;
  const builder = baseDashboard('databaseRedis', config, 'PostgreSQL connections, transactions, cache and rows; the slowest statements, sequentially read tables and unused indexes; Redis memory, commands, hit rate, clients and keys.')
    .withVariable(labelValuesVariable('pg_instance', series(pg.pg_up), 'instance', {}, { label: 'PostgreSQL', description: 'postgres_exporter targets.' }))
    .withVariable(
      labelValuesVariable('database', series(pg.pg_database_size_bytes), 'datname', { instance: PG_INSTANCE }, {
        label: 'Database',
        description: 'Databases of the selected servers.',
        // `.+`, not `.*`: All must not select pg_stat_database's shared-objects row (datname="").
        allValue: '.+',
      }),
    )
    .withVariable(labelValuesVariable('redis_instance', series(redis.redis_up), 'instance', {}, { label: 'Redis', description: 'redis_exporter targets.' }));
  return withRows(builder, [postgresRow(t), statementsRow(config), redisServerRow(t)]);
}
