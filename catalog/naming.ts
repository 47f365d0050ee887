/**
 * Prometheus naming conventions, enforced when the catalog loads
 * (https://prometheus.io/docs/practices/naming/): valid names, base units in the name, `_total`
 * only and always on counters, no suffix that clashes with histogram series, no reserved labels.
 */
import { ObservatoryError } from './errors';
import { TARGET_LABELS, type MetricSpec } from './types';

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/; // colons are reserved for recording rules
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Suffixes Prometheus itself writes for histograms and summaries. */
const RESERVED_SUFFIXES = ['_bucket', '_sum', '_count', '_created'];
/** Non-base units that must be converted (ms -> seconds, KB -> bytes, percent -> ratio). */
const NON_BASE_UNITS = ['_milliseconds', '_ms', '_microseconds', '_kilobytes', '_megabytes', '_kb', '_mb', '_percent', '_minutes', '_hours'];
const UNIT_SUFFIX: Partial<Record<MetricSpec['unit'], string>> = { seconds: '_seconds', bytes: '_bytes' };
/** Labels Prometheus or our scrape config owns. */
const RESERVED_LABELS = new Set<string>(['le', 'quantile', ...TARGET_LABELS]);

/** Throws an ObservatoryError naming the metric and the first rule it breaks. */
export function checkMetricNaming(spec: MetricSpec): void {
  const key = `catalog.${spec.name || '<unnamed>'}`;
  const fail = (problem: string): never => {
    throw new ObservatoryError(key, problem);
  };
  const allowed = spec.namingExceptions ?? {};
  if (spec.source === 'application' && Object.keys(allowed).length > 0) {
    fail('naming exceptions are only for exporter metrics; application metrics must follow the conventions');
  }
  if (!METRIC_NAME.test(spec.name)) fail(`metric name must match ${METRIC_NAME.source} (colons are reserved for recording rules)`);
  if (!spec.help || spec.help.trim().length === 0) fail('help text is empty');
  for (const suffix of NON_BASE_UNITS) {
    if (spec.name.endsWith(suffix) || spec.name.includes(`${suffix}_`)) fail(`uses non-base unit "${suffix.slice(1)}"; use seconds, bytes or a 0..1 ratio`);
  }
  const isCounter = spec.type === 'counter';
  if (isCounter && !spec.name.endsWith('_total') && !allowed['counter-without-total']) fail('counter names must end in "_total"');
  if (!isCounter && spec.name.endsWith('_total')) fail(`only counters may end in "_total" (this is a ${spec.type})`);
  for (const suffix of RESERVED_SUFFIXES) {
    if (spec.name.endsWith(suffix) && !allowed['reserved-suffix']) fail(`name ends in reserved suffix "${suffix}" (Prometheus writes it for histograms)`);
  }
  const unitSuffix = UNIT_SUFFIX[spec.unit];
  if (unitSuffix && !spec.name.includes(unitSuffix) && !allowed['unit-not-in-name']) fail(`unit "${spec.unit}" must appear in the name as "${unitSuffix}"`);
  for (const [label, labelSpec] of Object.entries(spec.labels)) {
    if (!LABEL_NAME.test(label)) fail(`label "${label}" must match ${LABEL_NAME.source}`);
    if (label.startsWith('__')) fail(`label "${label}" starts with "__", which Prometheus reserves`);
    if (RESERVED_LABELS.has(label)) fail(`label "${label}" is reserved (set by Prometheus or the scrape config)`);
    if (labelSpec.values && labelSpec.values.length === 0) fail(`label "${label}" lists no allowed values; omit "values" for an unbounded label`);
  }
  if (spec.type === 'histogram') {
    if (spec.source === 'application' && (!spec.buckets || spec.buckets.length === 0)) fail('application histograms need buckets');
  } else if (spec.buckets) {
    fail(`buckets are only for histograms (this is a ${spec.type})`);
  }
  if (spec.exemplarTraceLabel !== undefined) {
    if (spec.type !== 'histogram' || spec.source !== 'application') fail(`exemplarTraceLabel is only for application histograms (this is a ${spec.type} from ${spec.source})`);
    if (!LABEL_NAME.test(spec.exemplarTraceLabel) || spec.exemplarTraceLabel.startsWith('__')) fail(`exemplarTraceLabel "${spec.exemplarTraceLabel}" must match ${LABEL_NAME.source} and not start with "__"`);
    if (spec.exemplarTraceLabel in spec.labels) fail(`exemplarTraceLabel "${spec.exemplarTraceLabel}" is also a series label; a trace ID on the series would make one series per request`);
  }
  if (spec.buckets) {
    spec.buckets.forEach((b, i) => {
      if (!Number.isFinite(b) || b <= 0) fail(`bucket ${i} (${b}) must be a positive finite number`);
      if (i > 0 && b <= spec.buckets![i - 1]) fail(`buckets must be strictly increasing (bucket ${i} is ${b} after ${spec.buckets![i - 1]})`);
    });
  }
}
