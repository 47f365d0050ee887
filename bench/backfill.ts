/**
 * Raw history for the benchmarks: the planned data set written as OpenMetrics and turned into TSDB
 * blocks with `promtool tsdb create-blocks-from openmetrics`, the way an operator backfills.
 *
 * promtool appends roughly half a million samples per CPU-second, so the history is cut by time at
 * 2-hour block boundaries into a few files, each handed to promtool as soon as it is written (two
 * at a time, one per core). Cutting by time rather than by series keeps the blocks from
 * overlapping, so Prometheus has nothing to compact while rules are timed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { removeOnExit } from './exitCleanup';
import type { DatasetPlan } from './dataset';
import { FileSink, seriesPrefix, timestampSuffixes, timestampTexts, typeLine } from './openmetrics';
import { run } from './proc';
import { unitSeries, type TimeGrid } from './values';

export interface RawBackfill {
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly intervalSeconds: number;
  readonly series: number;
  readonly samples: number;
  /** Bytes of OpenMetrics text written (deleted after block creation). */
  readonly bytes: number;
  /** Seconds spent writing OpenMetrics text. */
  readonly generateSeconds: number;
  /** Wall time from start to all blocks in place. */
  readonly totalSeconds: number;
}

/** Files the history is cut into; two promtools run at a time. */
const PARTS = 4;

/** Time grid of `hours` of samples every `intervalSeconds`, the last one at or before `endSeconds`. */
export function timeGrid(endSeconds: number, hours: number, intervalSeconds: number): TimeGrid {
  const steps = Math.floor((hours * 3600) / intervalSeconds);
  const last = Math.floor(endSeconds / intervalSeconds) * intervalSeconds;
  return { startSeconds: last - (steps - 1) * intervalSeconds, intervalSeconds, steps };
}

/**
 * Sample indexes where the history is cut into `parts` files: 2 h block boundaries near equal
 * shares, so no two resulting blocks overlap. Returns ascending indexes from 0 to grid.steps.
 */
export function splitIndexes(grid: TimeGrid, parts: number): number[] {
  const cuts = [0];
  for (let j = 1; j < parts; j++) {
    const target = grid.startSeconds + (j * grid.steps * grid.intervalSeconds) / parts;
    const boundary = Math.round(target / 7200) * 7200;
    const k = Math.ceil((boundary - grid.startSeconds) / grid.intervalSeconds);
    if (k > cuts[cuts.length - 1] && k < grid.steps) cuts.push(k);
  }
  cuts.push(grid.steps);
  return cuts;
}

export interface PreparedSeries {
  readonly family: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly prefix: Buffer;
  readonly values: Float64Array;
}

/** Every series with its values, computed once (counters must continue across files). */
export function prepareSeries(plan: DatasetPlan, grid: TimeGrid): PreparedSeries[] {
  const out: PreparedSeries[] = [];
  for (const unit of plan.units) {
    for (const s of unitSeries(unit, grid)) {
      out.push({ family: unit.metric.name, type: unit.metric.type, prefix: Buffer.from(seriesPrefix(s.name, s.labels), 'latin1'), values: s.values });
    }
  }
  return out;
}

/** Writes samples [from, to) of every series as one OpenMetrics file; returns its size in bytes. */
export function writeOpenMetrics(series: readonly PreparedSeries[], timestamps: readonly Buffer[], from: number, to: number, file: string): number {
  const sink = new FileSink(file);
  let family = '';
  for (const s of series) {
    if (s.family !== family) {
      family = s.family;
      sink.write(typeLine(family, s.type));
    }
    sink.writeSeries(s.prefix, s.values, timestamps, from, to);
  }
  sink.close();
  return sink.bytes;
}

const SHM = '/dev/shm';
/** observatory-bench-<pid>-XXXXXX: the pid tells a later run whether its owner is gone. */
const SHM_SCRATCH = /^observatory-bench-([0-9]+)-[A-Za-z0-9]{6}$/;

/** Scratch folders in /dev/shm whose bench process is gone (killed with SIGKILL, or a crash). */
export function removeStaleScratch(shm = SHM): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(shm);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = SHM_SCRATCH.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(shm, n), { recursive: true, force: true });
    removed.push(n);
  }
  return removed;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * RAM-backed /dev/shm when it has room (each file is written once and read twice), else workDir.
 * A /dev/shm folder is memory until reboot, so it is removed on exit and on SIGINT/SIGTERM too.
 */
function scratchDir(workDir: string, bytesNeeded: number): string {
  removeStaleScratch();
  try {
    const st = fs.statfsSync(SHM);
    if (st.bavail * st.bsize > bytesNeeded * 1.5) {
      const dir = fs.mkdtempSync(path.join(SHM, `observatory-bench-${process.pid}-`));
      removeOnExit(dir);
      return dir;
    }
  } catch {
    // no /dev/shm: use the work directory
  }
  return workDir;
}

/**
 * Generates the history and moves the resulting blocks into `dataDir`. The large
 * --max-block-duration makes each file one block: promtool re-reads the file once per block.
 */
export async function backfillRaw(plan: DatasetPlan, grid: TimeGrid, workDir: string, dataDir: string, log: (l: string) => void): Promise<RawBackfill> {
  fs.mkdirSync(workDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const samples = plan.seriesCount * grid.steps;
  log(`backfill: ${plan.seriesCount} series x ${grid.steps} samples (${(samples / 1e6).toFixed(1)}M) -> OpenMetrics -> promtool, in ${PARTS} parts`);
  const t0 = process.hrtime.bigint();
  const series = prepareSeries(plan, grid);
  const timestamps = timestampSuffixes(timestampTexts(grid.startSeconds, grid.intervalSeconds, grid.steps));
  const cuts = splitIndexes(grid, PARTS);
  // ~160 bytes a sample line; at most three part files exist at once.
  const scratch = scratchDir(workDir, ((samples * 160) / (cuts.length - 1)) * 3);
  let bytes = 0;
  let generateSeconds = 0;
  const running = new Set<Promise<void>>();
  const failures: unknown[] = [];
  try {
    for (let j = 0; j + 1 < cuts.length; j++) {
      while (running.size >= 2) await Promise.race(running);
      const file = path.join(scratch, `raw-${j}.om`);
      const g0 = process.hrtime.bigint();
      bytes += writeOpenMetrics(series, timestamps, cuts[j], cuts[j + 1], file);
      generateSeconds += Number(process.hrtime.bigint() - g0) / 1e9;
      const out = path.join(workDir, `blocks-${j}`);
      fs.rmSync(out, { recursive: true, force: true });
      fs.mkdirSync(out);
      const job: Promise<void> = run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', '--max-block-duration=1458h', file, out], 'promtool create-blocks-from openmetrics')
        .then(() => void moveBlocks(out, dataDir))
        .catch((e: unknown) => void failures.push(e))
        .finally(() => {
          fs.rmSync(file, { force: true });
          running.delete(job);
        });
      running.add(job);
    }
    await Promise.all(running);
  } finally {
    if (scratch !== workDir) fs.rmSync(scratch, { recursive: true, force: true });
  }
  if (failures.length > 0) throw failures[0];
  const totalSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  log(`backfill: ${(bytes / 1e9).toFixed(2)} GB of OpenMetrics (${generateSeconds.toFixed(1)} s writing), blocks ready after ${totalSeconds.toFixed(1)} s`);
  return {
    startSeconds: grid.startSeconds,
    endSeconds: grid.startSeconds + (grid.steps - 1) * grid.intervalSeconds,
    intervalSeconds: grid.intervalSeconds,
    series: plan.seriesCount,
    samples,
    bytes,
    generateSeconds,
    totalSeconds,
  };
}

/** Moves every block directory (ULID-named) from `from` into the TSDB directory `to`. */
export function moveBlocks(from: string, to: string): number {
  let n = 0;
  for (const entry of fs.readdirSync(from)) {
    if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(entry)) continue;
    fs.renameSync(path.join(from, entry), path.join(to, entry));
    n++;
  }
  fs.rmSync(from, { recursive: true, force: true });
  return n;
}
