/**
 * Service level objectives every application is held to, and the multi-window multi-burn-rate
 * policy that alerts on them (Google SRE workbook, "Alerting on SLOs", for a 30-day period).
 * Stack config `observatory:slo` may change the objectives and the latency threshold.
 */
import { durationSeconds } from './duration';

export interface SloSettings {
  /** Share of requests that must not fail with 5xx over the SLO period. */
  readonly availabilityObjective: number;
  /** Share of requests that must finish within latencyThresholdSeconds. */
  readonly latencyObjective: number;
  /** The "fast enough" bound; must be a bucket bound of http_request_duration_seconds. */
  readonly latencyThresholdSeconds: number;
  /**
   * The SLO period: the window the objective is measured over, which the SLO panels show and the
   * error budget refers to. At most the stack's retention (a ratio needs the samples).
   */
  readonly period: string;
}

export const DEFAULT_SLO: SloSettings = {
  // 99.5% = about 3.6 h of full outage a month; tighten only with on-call to match.
  availabilityObjective: 0.995,
  // 99% of requests under 500 ms, the same bound as the p95 critical threshold.
  latencyObjective: 0.99,
  latencyThresholdSeconds: 0.5,
  // The SRE workbook's period. Stacks that keep less history default to their retention time
  // (stacks/config/schema.ts): staging 7d, dev 2d.
  period: '30d',
};

export interface BurnRateWindow {
  readonly severity: 'critical' | 'warning';
  /** Long window: the burn rate must hold over it. */
  readonly long: string;
  /** Short window: the burn must still be happening (resets the alert quickly after recovery). */
  readonly short: string;
  /** Multiple of the error budget's even spend rate. */
  readonly factor: number;
  /** `for` duration of the alert. */
  readonly for: string;
}

/** 2% of the budget in 1 h or 5% in 6 h pages; 10% in 3 d opens a ticket (SRE workbook table 5-8). */
export const BURN_RATE_WINDOWS: readonly BurnRateWindow[] = [
  { severity: 'critical', long: '1h', short: '5m', factor: 14.4, for: '2m' },
  { severity: 'critical', long: '6h', short: '30m', factor: 6, for: '15m' },
  { severity: 'warning', long: '1d', short: '2h', factor: 3, for: '1h' },
  { severity: 'warning', long: '3d', short: '6h', factor: 1, for: '3h' },
];

/** Every window the SLO ratios are recorded over. */
export const SLO_WINDOWS: readonly string[] = [...new Set(BURN_RATE_WINDOWS.flatMap((w) => [w.short, w.long]))].sort(
  (a, b) => durationSeconds(a) - durationSeconds(b),
);
