/**
 * SLO panels (Service overview): each SLI over the SLO period against its objective, the error
 * budget left, and how fast it burns. Objectives come from config.slo and the burn-rate factors
 * from catalog/slos.ts, the same numbers the SLO alerts use.
 */
import { avgOverTime, divByConstant, mul, oneMinus, or, type Query } from '../../catalog/query';
import { recorded, sloErrorRatio } from '../../catalog/recorded';
import { BURN_RATE_WINDOWS, SLO_PERIOD } from '../../catalog/slos';
import type { StackConfig } from '../../stacks/config/schema';
import { lowerThresholds, statPanel, timeseriesPanel, upperThresholds, type Row } from '../common';
import { RATIO_UNIT } from '../units';
import { SERVICE } from '../variables';

export type Sli = 'availability' | 'latency';

/** The error budget: the share of requests allowed to be bad (1 - objective), without float noise. */
export function errorBudget(objective: number): number {
  return Number((1 - objective).toPrecision(12));
}

function objectiveOf(config: StackConfig, sli: Sli): number {
  return sli === 'availability' ? config.slo.availabilityObjective : config.slo.latencyObjective;
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toPrecision(6))}%`;
}

function sliMeaning(config: StackConfig, sli: Sli): string {
  return sli === 'availability' ? 'requests answered without a 5xx' : `requests answered within ${config.slo.latencyThresholdSeconds} s`;
}

/**
 * `or <requests> * 0`: the SLO error ratios have no series for a service that never failed (no
 * 5xx series exist), which is a perfect record, so show 0 errors instead of no data.
 */
function orNoErrors(errors: Query<'service'>): Query<'service'> {
  return or(errors, mul(recorded.httpServiceRate.select({ service: SERVICE }), 0));
}

/** Error ratio over the SLO period: the mean of the 5m ratio, as Sloth does (cheap, no 30d rate). */
function periodErrorRatio(sli: Sli): Query<'service'> {
  return orNoErrors(avgOverTime(sloErrorRatio(sli, '5m').range(SLO_PERIOD, { service: SERVICE })));
}

const TITLES: Record<Sli, string> = { availability: 'Availability', latency: 'Latency SLI' };

export function sliOverPeriod(config: StackConfig, sli: Sli) {
  const objective = objectiveOf(config, sli);
  return statPanel(
    {
      title: `${TITLES[sli]} (${SLO_PERIOD})`,
      description: `Share of ${sliMeaning(config, sli)} over the last ${SLO_PERIOD}. Objective: ${percent(objective)} (config.slo); red below it.`,
      unit: RATIO_UNIT,
      targets: [{ expr: oneMinus(periodErrorRatio(sli)), legend: `{{service}} · objective ${percent(objective)}` }],
      thresholds: lowerThresholds(objective),
    },
    { showNames: true },
  );
}

export function errorBudgetLeft(config: StackConfig, sli: Sli) {
  const budget = errorBudget(objectiveOf(config, sli));
  return statPanel(
    {
      title: `${TITLES[sli]} error budget left (${SLO_PERIOD})`,
      description: `Share of the ${SLO_PERIOD} error budget (${percent(budget)} of requests) not yet spent; red once it is exhausted.`,
      unit: RATIO_UNIT,
      targets: [{ expr: oneMinus(divByConstant(periodErrorRatio(sli), budget)), legend: `{{service}} · budget ${percent(budget)} of requests` }],
      thresholds: lowerThresholds(0),
    },
    { showNames: true },
  );
}

/** The two page-worthy windows; the alerts page when both the long and the short window burn. */
const PAGE_WINDOWS = BURN_RATE_WINDOWS.filter((w) => w.severity === 'critical');

export function burnRate(config: StackConfig, sli: Sli) {
  const budget = errorBudget(objectiveOf(config, sli));
  const factors = PAGE_WINDOWS.map((w) => w.factor).sort((a, b) => a - b);
  return timeseriesPanel({
    title: `${TITLES[sli]} error budget burn rate`,
    description:
      `How many times faster than "evenly over ${SLO_PERIOD}" the budget is being spent, over ${PAGE_WINDOWS.map((w) => w.long).join(' and ')}. ` +
      `The SLO alerts page at ${PAGE_WINDOWS.map((w) => `${w.factor}x over ${w.long}`).join(' or ')} (catalog/slos.ts); the lines mark those factors.`,
    unit: 'none',
    targets: PAGE_WINDOWS.map((w) => ({ expr: divByConstant(orNoErrors(sloErrorRatio(sli, w.long).select({ service: SERVICE })), budget), legend: `{{service}} ${w.long}` })),
    thresholds: upperThresholds(factors[factors.length - 1], factors.length > 1 ? factors[0] : undefined),
    min: 0,
  });
}

export function sloRow(config: StackConfig): Row {
  return {
    title: 'Service level objectives',
    panels: [sliOverPeriod(config, 'availability'), errorBudgetLeft(config, 'availability'), sliOverPeriod(config, 'latency'), errorBudgetLeft(config, 'latency')],
  };
}

export function burnRateRow(config: StackConfig): Row {
  return { title: 'Error budget burn', panels: [burnRate(config, 'availability'), burnRate(config, 'latency')] };
}
