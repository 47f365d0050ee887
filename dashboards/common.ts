/**
 * Base builders every dashboard panel starts from: a Prometheus target from a typed query, and
 * timeseries/stat/gauge panels that always carry the datasource variable, a unit and thresholds.
 * Panel functions in dashboards/rows/ describe WHAT to show (title, query, unit, thresholds);
 * these decide HOW it looks, so all dashboards look alike.
 */
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as gauge from '@grafana/grafana-foundation-sdk/gauge';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import type { Query } from '../catalog/query';

/** Name of the datasource template variable every panel and variable query goes through. */
export const DATASOURCE_VARIABLE = 'datasource';
export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana's threshold colours, by meaning. */
export const COLORS = { ok: 'green', warning: 'orange', critical: 'red', info: 'blue' } as const;

export interface Target {
  readonly expr: Query<string>;
  /** Series name in the legend, e.g. `{{route}}`. */
  readonly legend: string;
  /**
   * One value at the end of the time range instead of a series over it: for stats whose
   * expression already covers a fixed window (the SLO period). Default: false (a range query).
   */
  readonly instant?: boolean;
  /**
   * Ask Prometheus for the exemplars of the selected series too: Grafana draws them as dots, each
   * linking to its trace in Jaeger. Only series whose catalog metric has `exemplarTraceLabel`
   * carry any (the dashboard lint checks). Default: false.
   */
  readonly exemplar?: boolean;
}

export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and where its thresholds come from; Grafana shows it as the (i) tooltip. */
  readonly description: string;
  readonly unit: string;
  readonly targets: readonly Target[];
  /** Threshold steps (see upperThresholds/lowerThresholds). Default: one neutral base step. */
  readonly thresholds?: readonly dashboard.Threshold[];
  /** Width in grid columns (of 24). Default: 12 for time series, 6 for stat and gauge. */
  readonly width?: number;
  /** Height in grid rows. Default: 8 for time series, 5 for stat and gauge. */
  readonly height?: number;
  /** Axis/gauge minimum. Default: Grafana's automatic scale. */
  readonly min?: number;
  /** Axis/gauge maximum. Default: Grafana's automatic scale. */
  readonly max?: number;
  /** Value-to-text mappings (e.g. 1 -> UP). Default: none. */
  readonly mappings?: readonly dashboard.ValueMapping[];
}

/** No thresholds: a single base step, so nothing is coloured as good or bad. */
export const NO_THRESHOLDS: readonly dashboard.Threshold[] = [{ value: null, color: COLORS.ok }];

/** Higher is worse: green below `warning`, orange from it, red from `critical`. */
export function upperThresholds(critical: number, warning?: number): dashboard.Threshold[] {
  const steps: dashboard.Threshold[] = [{ value: null, color: COLORS.ok }];
  if (warning !== undefined) steps.push({ value: warning, color: COLORS.warning });
  steps.push({ value: critical, color: COLORS.critical });
  return steps;
}

/** Higher is worse, ticket-level only: amber from `warning` (an alert that opens a ticket, never a page). */
export function warningThreshold(warning: number): dashboard.Threshold[] {
  return [
    { value: null, color: COLORS.ok },
    { value: warning, color: COLORS.warning },
  ];
}

/** Lower is worse: red below `minimum`, green from it (hit ratios, availability, budget left). */
export function lowerThresholds(minimum: number): dashboard.Threshold[] {
  return [
    { value: null, color: COLORS.critical },
    { value: minimum, color: COLORS.ok },
  ];
}

/** Value-to-text mapping for 0/1 health series (up, pg_up, last reload successful). */
export function healthMapping(okText: string, badText: string): dashboard.ValueMapping {
  return {
    type: dashboard.MappingType.ValueToText,
    options: {
      '0': { text: badText, color: COLORS.critical, index: 0 },
      '1': { text: okText, color: COLORS.ok, index: 1 },
    },
  };
}

/**
 * Panel id from the title (FNV-1a): ids stay the same when panels are added or moved, so links
 * with ?viewPanel=<id> keep working. The dashboard lint rejects the (unlikely) collision.
 */
export function panelId(title: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < title.length; i++) {
    h ^= title.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return (h % 999_983) + 1;
}

const REF_IDS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A Prometheus target over the datasource variable. */
export function promTarget(target: Target, index: number): prometheus.DataqueryBuilder {
  if (index >= REF_IDS.length) throw new Error('a panel has more than 26 queries');
  const q = new prometheus.DataqueryBuilder().datasource(DATASOURCE).refId(REF_IDS[index]).expr(target.expr.toString()).legendFormat(target.legend);
  if (target.exemplar) q.exemplar(true);
  return target.instant ? q.instant() : q.range();
}

function thresholdsConfig(steps: readonly dashboard.Threshold[]): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps.map((s) => ({ ...s })));
}

/** What every panel kind shares; `B` is the SDK's panel builder of that kind. */
interface CommonPanelBuilder<B> extends cog.Builder<dashboard.Panel> {
  id(id: number): B;
  title(title: string): B;
  description(description: string): B;
  datasource(datasource: common.DataSourceRef): B;
  withTarget(target: cog.Builder<cog.Dataquery>): B;
  unit(unit: string): B;
  thresholds(thresholds: cog.Builder<dashboard.ThresholdsConfig>): B;
  span(w: number): B;
  height(h: number): B;
  min(min: number): B;
  max(max: number): B;
  mappings(mappings: dashboard.ValueMapping[]): B;
}

function applyCommon<B extends CommonPanelBuilder<B>>(builder: B, spec: PanelSpec, width: number, height: number): B {
  let b = builder
    .id(panelId(spec.title))
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .unit(spec.unit)
    .thresholds(thresholdsConfig(spec.thresholds ?? NO_THRESHOLDS))
    .span(spec.width ?? width)
    .height(spec.height ?? height);
  spec.targets.forEach((t, i) => {
    b = b.withTarget(promTarget(t, i));
  });
  if (spec.min !== undefined) b = b.min(spec.min);
  if (spec.max !== undefined) b = b.max(spec.max);
  if (spec.mappings) b = b.mappings([...spec.mappings]);
  return b;
}

export interface TimeseriesOptions {
  /** Stack the series (e.g. requests by status code). Default: false */
  readonly stacked?: boolean;
}

export function timeseriesPanel(spec: PanelSpec, options: TimeseriesOptions = {}): timeseries.PanelBuilder {
  const hasThresholds = (spec.thresholds ?? NO_THRESHOLDS).length > 1;
  return applyCommon(new timeseries.PanelBuilder(), spec, 12, 8)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .lineWidth(1)
    .fillOpacity(options.stacked ? 60 : 10)
    .stacking(new common.StackingConfigBuilder().mode(options.stacked ? common.StackingMode.Normal : common.StackingMode.None))
    // Thresholds are drawn as dashed lines, so the alerting bound is visible next to the data.
    .thresholdsStyle(new common.GraphThresholdsStyleConfigBuilder().mode(hasThresholds ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off));
}

function lastValue(): common.ReduceDataOptionsBuilder {
  return new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false);
}

export interface StatOptions {
  /** Show each series' legend next to its value (e.g. "shop-api · objective 99.5%"). Default: false (Grafana decides). */
  readonly showNames?: boolean;
}

export function statPanel(spec: PanelSpec, options: StatOptions = {}): stat.PanelBuilder {
  return applyCommon(new stat.PanelBuilder(), spec, 6, 5)
    .reduceOptions(lastValue())
    .textMode(options.showNames ? common.BigValueTextMode.ValueAndName : common.BigValueTextMode.Auto)
    .colorMode(common.BigValueColorMode.Value)
    // No sparkline for value mappings (states) or instant queries (a single point).
    .graphMode(spec.mappings || spec.targets.every((t) => t.instant) ? common.BigValueGraphMode.None : common.BigValueGraphMode.Area)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds));
}

export function gaugePanel(spec: PanelSpec): gauge.PanelBuilder {
  return applyCommon(new gauge.PanelBuilder(), spec, 6, 5)
    .reduceOptions(lastValue())
    .showThresholdMarkers(true)
    .showThresholdLabels(false)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds));
}

/** A dashboard row: a title and the panels below it, left to right, wrapping at 24 columns. */
export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<dashboard.Panel>[];
}

/** Adds rows (expanded, so their panels sit at the top level as Grafana expects). */
export function withRows(builder: dashboard.DashboardBuilder, rows: readonly Row[]): dashboard.DashboardBuilder {
  for (const row of rows) {
    builder.withRow(new dashboard.RowBuilder(row.title).id(panelId(`row: ${row.title}`)));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  return builder;
}
