/**
 * SLO panels (Service overview): each SLI over the stack's SLO period (config.slo.period) against
 * its objective, the error budget left, and how fast it burns. Objectives come from config.slo and
 * the burn-rate factors from catalog/slos.ts, the same numbers the SLO alerts use; the period
 * ratios are the alerts' window ratio (sloWindowErrorRatio) over the SLO period.
 */
import { divByConstant, oneMinus, type Query } from '../../catalog/query';
import { sloErrorRatio, sloWindowErrorRatio } from '../../catalog/recorded';
import { BURN_RATE_WINDOWS } from '../../catalog/slos';
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
 * Error ratio over the SLO period, at the dashboard's end time: bad requests / all requests in the
 * period, the same expression the burn-rate recordings use for their windows. Not a mean of the
 * 5m ratios: that weighs a quiet hour with 10% errors like a busy hour with 0.1% (94.85% instead
 * of the true 99.89%).
 */
function periodErrorRatio(config: StackConfig, sli: Sli): Query<'service'> {
  return sloWindowErrorRatio(sli, config.slo.latencyThresholdSeconds, config.slo.period, SERVICE);
}

const TITLES: Record<Sli, string> = { availability: 'Availability', latency: 'Latency SLI' };

export function sliOverPeriod(config: StackConfig, sli: Sli) {
  const objective = objectiveOf(config, sli);
  const period = config.slo.period;
  return statPanel(
    {
      title: `${TITLES[sli]} (${period})`,
      description: `Share of ${sliMeaning(config, sli)} over the ${period} up to the end of the dashboard's time range (the SLO period, config.slo.period). Objective: ${percent(objective)} (config.slo); red below it.`,
      unit: RATIO_UNIT,
      targets: [{ expr: oneMinus(periodErrorRatio(config, sli)), legend: `{{service}} · objective ${percent(objective)}`, instant: true }],
      thresholds: lowerThresholds(objective),
    },
    { showNames: true },
  );
}

export function errorBudgetLeft(config: StackConfig, sli: Sli) {
  const budget = errorBudget(objectiveOf(config, sli));
  const period = config.slo.period;
  return statPanel(
    {
      title: `${TITLES[sli]} error budget left (${period})`,
      description: `Share of the ${period} error budget (${percent(budget)} of requests) not yet spent over the ${period} up to the end of the dashboard's time range; red once it is exhausted.`,
      unit: RATIO_UNIT,
      targets: [{ expr: oneMinus(divByConstant(periodErrorRatio(config, sli), budget)), legend: `{{service}} · budget ${percent(budget)} of requests`, instant: true }],
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
      `How many times faster than "evenly over ${config.slo.period}" the budget is being spent, over ${PAGE_WINDOWS.map((w) => w.long).join(' and ')}. ` +
      `The SLO alerts page at ${PAGE_WINDOWS.map((w) => `${w.factor}x over ${w.long}`).join(' or ')} (catalog/slos.ts); the lines mark those factors.`,
    unit: 'none',
    targets: PAGE_WINDOWS.map((w) => ({ expr: divByConstant(sloErrorRatio(sli, w.long).select({ service: SERVICE }), budget), legend: `{{service}} ${w.long}` })),
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
