/**
 * OpenMetrics text for `promtool tsdb create-blocks-from openmetrics`: series lines with explicit
 * timestamps (seconds), written series by series so every series' samples are in time order (the
 * backfill rejects out-of-order samples), ending with `# EOF`. Also the small deterministic value
 * models the synthetic data uses. Pure except for FileSink.
 */
import * as fs from 'node:fs';

export type LabelPairs = readonly (readonly [string, string])[];

export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** `name{a="x",b="y"} ` — the part of a sample line that repeats for every sample of a series. */
export function seriesPrefix(name: string, labels: LabelPairs): string {
  if (labels.length === 0) return `${name} `;
  return `${name}{${labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}} `;
}

/** OpenMetrics number text; integers stay integers (smaller file, faster parse). */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/**
 * The `# TYPE` line of a family. OpenMetrics names a counter family without `_total`; exporter
 * counters that lack the suffix are declared `unknown`, which OpenMetrics allows for any series.
 */
export function typeLine(name: string, type: 'counter' | 'gauge' | 'histogram'): string {
  if (type === 'counter') return name.endsWith('_total') ? `# TYPE ${name.slice(0, -'_total'.length)} counter\n` : `# TYPE ${name} unknown\n`;
  return `# TYPE ${name} ${type}\n`;
}

/** Timestamps (seconds, as text) of `steps` samples every `intervalSeconds`, starting at `start`. */
export function timestampTexts(startSeconds: number, intervalSeconds: number, steps: number): string[] {
  return Array.from({ length: steps }, (_, i) => String(startSeconds + i * intervalSeconds));
}

/**
 * Buffered OpenMetrics file writer. Files reach gigabytes, so sample lines are assembled as bytes
 * in a large buffer (no per-line strings) and flushed in big chunks.
 */
export class FileSink {
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(16 << 20);
  private pos = 0;
  bytes = 0;
  constructor(readonly path: string) {
    this.fd = fs.openSync(path, 'w');
  }
  private ensure(n: number): void {
    if (this.pos + n > this.buf.length) this.flush();
  }
  private flush(): void {
    fs.writeSync(this.fd, this.buf, 0, this.pos);
    this.bytes += this.pos;
    this.pos = 0;
  }
  write(text: string): void {
    this.ensure(text.length);
    this.pos += this.buf.write(text, this.pos, 'latin1');
  }
  /** Sample lines of one series for samples [from, to); `timestamps` are ` <ts>\n` byte strings. */
  writeSeries(prefix: Buffer, values: ArrayLike<number>, timestamps: readonly Buffer[], from: number, to: number): void {
    const buf = this.buf;
    for (let i = from; i < to; i++) {
      this.ensure(prefix.length + 64);
      prefix.copy(buf, this.pos);
      this.pos += prefix.length;
      const v = values[i];
      if (Number.isInteger(v) && v >= 0 && v < 1e15) this.pos = writeUint(buf, this.pos, v);
      else this.pos += buf.write(formatValue(v), this.pos, 'latin1');
      const ts = timestamps[i];
      ts.copy(buf, this.pos);
      this.pos += ts.length;
    }
  }
  /** Writes the `# EOF` terminator and closes the file. */
  close(): void {
    this.write('# EOF\n');
    this.flush();
    fs.closeSync(this.fd);
  }
}

/** Writes a non-negative integer's decimal digits at `pos`; returns the position after them. */
export function writeUint(buf: Buffer, pos: number, v: number): number {
  if (v === 0) {
    buf[pos] = 48;
    return pos + 1;
  }
  let digits = 0;
  for (let x = v; x >= 1; x = Math.floor(x / 10)) digits++;
  let x = v;
  for (let i = digits - 1; i >= 0; i--) {
    buf[pos + i] = 48 + (x % 10);
    x = Math.floor(x / 10);
  }
  return pos + digits;
}

/** ` <timestamp>\n` as bytes for every sample time, shared by all series. */
export function timestampSuffixes(timestamps: readonly string[]): Buffer[] {
  return timestamps.map((t) => Buffer.from(` ${t}\n`, 'latin1'));
}

// ---- deterministic value models ----------------------------------------------------------------

/** Small fast PRNG (mulberry32): the same seed gives the same data on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Stable 32-bit hash of a string (FNV-1a), to derive per-series parameters from labels. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** Daily traffic shape: 0.5x at night to 1.5x at the peak. */
export function diurnal(tSeconds: number): number {
  return 1 + 0.5 * Math.sin((2 * Math.PI * tSeconds) / 86400);
}

/**
 * A counter's cumulative values: integer events at `ratePerSecond` (shaped by time of day, with
 * noise), so consecutive samples differ irregularly as real counters do (which matters for chunk
 * compression, and so for query cost).
 */
export function counterValues(startSeconds: number, intervalSeconds: number, steps: number, ratePerSecond: number, rand: () => number): Float64Array {
  const out = new Float64Array(steps);
  let total = Math.floor(rand() * 1000);
  let carry = 0;
  for (let i = 0; i < steps; i++) {
    const expected = ratePerSecond * intervalSeconds * diurnal(startSeconds + i * intervalSeconds) * (0.7 + 0.6 * rand()) + carry;
    const events = Math.floor(expected);
    carry = expected - events;
    total += events;
    out[i] = total;
  }
  return out;
}

/** A gauge wandering around `base` by up to ±`spread` (relative), e.g. memory or connections. */
export function gaugeValues(steps: number, base: number, spread: number, integer: boolean, rand: () => number): Float64Array {
  const out = new Float64Array(steps);
  let x = 0;
  for (let i = 0; i < steps; i++) {
    x = Math.max(-1, Math.min(1, x + (rand() - 0.5) * 0.2));
    const v = base * (1 + spread * x);
    out[i] = integer ? Math.round(v) : Math.round(v * 1000) / 1000;
  }
  return out;
}

/** Share of observations at or below `le` for a log-normal latency with the given median. */
export function logNormalCdf(le: number, median: number, sigma: number): number {
  const z = (Math.log(le) - Math.log(median)) / (sigma * Math.SQRT2);
  return 0.5 * (1 + erf(z));
}

function erf(x: number): number {
  // Abramowitz-Stegun 7.1.26; 1e-7 accuracy is plenty for synthetic bucket shares.
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}

/**
 * Cumulative bucket counts from total counts: bucket(le) = floor(count * share(le)). Shares rise
 * with le and counts rise with time, so buckets are monotonic both ways, as a real histogram's are.
 */
export function bucketValues(counts: Float64Array, share: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = Math.floor(counts[i] * share);
  return out;
}
