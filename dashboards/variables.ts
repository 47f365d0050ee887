/**
 * Template variables. Every query variable reads label_values() through a catalog handle, and
 * every multi-value variable matches with `=~`, so "All" (sent as `.*`) and several picked values
 * (sent as `a|b`) both work. The matchers panels use are exported next to the variables.
 */
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { labelValues, type Matcher, type SeriesHandle } from '../catalog/query';
import { DATASOURCE, DATASOURCE_VARIABLE } from './common';
import { DATASOURCE_UIDS } from '../generators/grafanaProvisioning';

/** `label=~"$name"`: how panels select a multi-value variable. */
export function varMatcher(name: string): Matcher {
  return { re: `$${name}` };
}

export const SERVICE = varMatcher('service');
export const ROUTE = varMatcher('route');
export const INSTANCE = varMatcher('instance');
export const JOB = varMatcher('job');
export const PG_INSTANCE = varMatcher('pg_instance');
export const REDIS_INSTANCE = varMatcher('redis_instance');
export const DATABASE = varMatcher('database');

/** The Prometheus datasource picker; defaults to the provisioned Prometheus (stable uid). */
export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder(DATASOURCE_VARIABLE)
    .label('Data source')
    .type('prometheus')
    .current({ text: 'Prometheus', value: DATASOURCE_UIDS.prometheus });
}

export interface QueryVariableOptions {
  readonly label: string;
  readonly description: string;
  /** Regex sent for "All". Default: `.*` (also matches series that appear later). */
  readonly allValue?: string;
}

/**
 * A multi-value variable over `label_values(<selector>, <label>)`, refreshed when the time range
 * changes (so a new route or instance shows up without a reload), defaulting to All.
 */
export function labelValuesVariable<L extends string>(
  name: string,
  handle: SeriesHandle<L>,
  label: L,
  matchers: { readonly [K in L]?: Matcher },
  options: QueryVariableOptions,
): dashboard.QueryVariableBuilder {
  const query = labelValues(handle, label, matchers);
  return new dashboard.QueryVariableBuilder(name)
    .label(options.label)
    .description(options.description)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    // A regex rather than the list of current values: All keeps matching series that appear later.
    .allValue(options.allValue ?? '.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] });
}
