/**
 * `observatory:budgets`: the performance budgets and regression levels `npm run budget` applies
 * after a load test (cli/budget.ts). Every key is optional; defaults and what each one means are
 * in catalog/budgets.ts. A budget set to null is switched off.
 *
 *   observatory:budgets:
 *     latencyP95: { max: 0.3 }                 # seconds; action defaults to the default's (fail)
 *     throughput: { min: 100, action: warn }   # requests/s per service
 *     latencyP99: null                         # no p99 budget
 *     regression: { high: 0.2 }                # the other levels keep their defaults
 */
import { z } from 'zod';
import { DEFAULT_BUDGETS, type BudgetAction, type Budgets, type LowerBudget, type UpperBudget } from '../../catalog/budgets';

const action = z.enum(['fail', 'warn']);

function upper(defaultAction: BudgetAction, maxOf: z.ZodNumber) {
  return z
    .object({ max: maxOf, action: action.default(defaultAction) })
    .strict()
    .nullable()
    .optional();
}

const seconds = z.number().positive();
const share = z.number().positive().max(1, { message: 'is a ratio and must be <= 1 (write 0.05 for 5%)' });
const level = z.number().positive().max(10, { message: 'is a share of the baseline (0.25 = 25% worse) and must be <= 10' });

const LEVELS = ['low', 'medium', 'high', 'critical'] as const;

export const budgetsSchema = z
  .object({
    latencyP50: upper(DEFAULT_BUDGETS.latencyP50?.action ?? 'fail', seconds),
    latencyP95: upper(DEFAULT_BUDGETS.latencyP95?.action ?? 'fail', seconds),
    latencyP99: upper(DEFAULT_BUDGETS.latencyP99?.action ?? 'fail', seconds),
    errorRatio: upper(DEFAULT_BUDGETS.errorRatio?.action ?? 'fail', share),
    throughput: z
      .object({ min: z.number().positive(), action: action.default(DEFAULT_BUDGETS.throughput?.action ?? 'warn') })
      .strict()
      .nullable()
      .optional(),
    regression: z.object({ low: level.optional(), medium: level.optional(), high: level.optional(), critical: level.optional() }).strict().prefault({}),
    minRequests: z.number().int().min(1).optional(),
    minRequestsBeyondQuantile: z.number().int().min(1).optional(),
    latencyFloorSeconds: z.number().min(0).optional(),
    errorRatioFloor: share.optional(),
  })
  .strict()
  .transform((b): Budgets => {
    const pick = <T extends UpperBudget | LowerBudget>(v: T | null | undefined, d: T | null): T | null => (v === undefined ? d : v);
    return {
      latencyP50: pick(b.latencyP50, DEFAULT_BUDGETS.latencyP50),
      latencyP95: pick(b.latencyP95, DEFAULT_BUDGETS.latencyP95),
      latencyP99: pick(b.latencyP99, DEFAULT_BUDGETS.latencyP99),
      errorRatio: pick(b.errorRatio, DEFAULT_BUDGETS.errorRatio),
      throughput: pick(b.throughput, DEFAULT_BUDGETS.throughput),
      regression: {
        low: b.regression.low ?? DEFAULT_BUDGETS.regression.low,
        medium: b.regression.medium ?? DEFAULT_BUDGETS.regression.medium,
        high: b.regression.high ?? DEFAULT_BUDGETS.regression.high,
        critical: b.regression.critical ?? DEFAULT_BUDGETS.regression.critical,
      },
      minRequests: b.minRequests ?? DEFAULT_BUDGETS.minRequests,
      minRequestsBeyondQuantile: b.minRequestsBeyondQuantile ?? DEFAULT_BUDGETS.minRequestsBeyondQuantile,
      latencyFloorSeconds: b.latencyFloorSeconds ?? DEFAULT_BUDGETS.latencyFloorSeconds,
      errorRatioFloor: b.errorRatioFloor ?? DEFAULT_BUDGETS.errorRatioFloor,
    };
  })
  .superRefine((b, ctx) => {
    for (let i = 1; i < LEVELS.length; i++) {
      const below = LEVELS[i - 1];
      const here = LEVELS[i];
      if (b.regression[here] <= b.regression[below]) {
        ctx.addIssue({ code: 'custom', path: ['regression', here], message: `(${b.regression[here]}) must be above regression.${below} (${b.regression[below]})` });
      }
    }
  });
