/**
 * The Prometheus text exposition format, read just far enough to describe what a program exposes:
 * each metric family's type, help, label names and number of series. Used to write and check the
 * exporter fixtures (test/fixtures/exporters/) that the catalog is compared with.
 */

export interface FamilySummary {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  /** Label names, sorted; `le` and `quantile` (the bucket and quantile dimensions) left out. */
  readonly labels: readonly string[];
  /** Distinct label sets (buckets and quantiles of one series count once). */
  readonly series: number;
}

const SUFFIXES: Record<string, readonly string[]> = {
  histogram: ['_bucket', '_sum', '_count', '_created'],
  summary: ['_sum', '_count', '_created'],
  counter: ['_created'],
};

/** Label names and values of one sample line's `{...}` part. */
function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`malformed labels: {${text}}`);
    const name = text.slice(i, eq).trim().replace(/^"|"$/g, '');
    if (text[eq + 1] !== '"') throw new Error(`malformed label value for ${name}: {${text}}`);
    let j = eq + 2;
    let value = '';
    while (j < text.length && text[j] !== '"') {
      if (text[j] === '\\') {
        const next = text[j + 1];
        value += next === 'n' ? '\n' : next;
        j += 2;
      } else value += text[j++];
    }
    out[name] = value;
    i = j + 1;
  }
  return out;
}

/** Splits a sample line into metric name and labels. */
function parseSample(line: string): { name: string; labels: Record<string, string> } {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace >= 0 && (space < 0 || brace < space)) {
    const close = line.lastIndexOf('}');
    return { name: line.slice(0, brace), labels: parseLabels(line.slice(brace + 1, close)) };
  }
  return { name: line.slice(0, space), labels: {} };
}

export function parseExposition(text: string): FamilySummary[] {
  const types = new Map<string, string>();
  const helps = new Map<string, string>();
  const labelNames = new Map<string, Set<string>>();
  const labelSets = new Map<string, Set<string>>();
  const familyOf = (sample: string): string => {
    if (types.has(sample)) return sample;
    for (const [family, type] of types) {
      if ((SUFFIXES[type] ?? []).some((s) => sample === `${family}${s}`)) return family;
    }
    return sample;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') types.set(meta[2], meta[3]);
      else helps.set(meta[2], meta[3].replace(/\\n/g, '\n').replace(/\\\\/g, '\\'));
      continue;
    }
    if (line.startsWith('#')) continue;
    const { name, labels } = parseSample(line);
    const family = familyOf(name);
    const names = labelNames.get(family) ?? new Set<string>();
    const kept = Object.keys(labels)
      .filter((l) => l !== 'le' && l !== 'quantile')
      .sort();
    for (const l of kept) names.add(l);
    labelNames.set(family, names);
    const sets = labelSets.get(family) ?? new Set<string>();
    sets.add(kept.map((l) => `${l}=${labels[l]}`).join('\u0000'));
    labelSets.set(family, sets);
  }
  return [...labelSets.keys()].sort().map((name) => ({
    name,
    type: types.get(name) ?? 'untyped',
    help: helps.get(name) ?? '',
    labels: [...(labelNames.get(name) ?? [])].sort(),
    series: labelSets.get(name)?.size ?? 0,
  }));
}

/** One line per family: `name | type | labels={a,b} | series=N | help`. */
export function summarizeExposition(text: string): string {
  return parseExposition(text)
    .map((f) => `${f.name} | ${f.type} | labels={${f.labels.join(',')}} | series=${f.series} | ${f.help.split('\n')[0]}`)
    .join('\n')
    .concat('\n');
}
