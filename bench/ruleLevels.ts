/**
 * Orders the recording rules to backfill into dependency levels: level 0 reads only raw series,
 * level n reads series recorded at lower levels. Backfilling level by level (Prometheus reloads
 * the blocks of the levels below in between) lets every rule read recorded series as it does when
 * Prometheus evaluates it live, instead of promtool re-deriving them from the raw history once per
 * rule: three quantiles over one recorded bucket rate cost one bucket scan, not three. Pure.
 */
import { ObservatoryError } from '../catalog/errors';
import { directlyRecorded, type RecordingDefinition } from './expand';

/**
 * The rules recording `wanted`, plus every rule those read (transitively), grouped by level.
 * A recorded name's level is one more than the highest level it reads; all rules of a name share it.
 */
export function backfillLevels(recordings: readonly RecordingDefinition[], wanted: ReadonlySet<string>): RecordingDefinition[][] {
  const names = new Set(recordings.map((r) => r.record));
  const reads = new Map<string, Set<string>>();
  for (const r of recordings) {
    const set = reads.get(r.record) ?? new Set<string>();
    for (const n of directlyRecorded(r.expr, names)) set.add(n);
    reads.set(r.record, set);
  }
  for (const w of wanted) if (!names.has(w)) throw new ObservatoryError('bench', `no recording rule records ${w}`);

  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (name: string): number => {
    const known = level.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) throw new ObservatoryError('bench', `recording rules read each other in a cycle through ${name}`);
    visiting.add(name);
    const deps = [...(reads.get(name) ?? [])];
    const l = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(levelOf));
    visiting.delete(name);
    level.set(name, l);
    return l;
  };
  for (const w of wanted) levelOf(w);

  const levels: RecordingDefinition[][] = [];
  for (const r of recordings) {
    const l = level.get(r.record);
    if (l === undefined) continue;
    (levels[l] ??= []).push(r);
  }
  return levels;
}
