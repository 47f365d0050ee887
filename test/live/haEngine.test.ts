/**
 * Issue 16, the engine half: two Prometheus replicas (the rendered HA pair) remote-write to the
 * pinned Thanos Receive; dashboards read through Thanos Query. Proven on real processes:
 * one deduplicated series per target, no gap while a replica is stopped, no double counting when
 * it comes back. Each check also runs against a variant broken on purpose (Query without replica
 * labels = dedup off; a pair whose replica label was dropped) and must report the failure there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkNoDoubleCount, checkNoGap, checkOneSeriesPerTarget } from '../../live/ha/engineChecks';
import { RIG_SCRAPE_SECONDS, startEngineRig, type EngineRig } from '../../live/ha/engineRig';
import { instant } from '../../live/ha/thanosApi';
import { done, notYet, pollUntil } from '../../live/poll';
import { requireTool } from '../tools';

/** How long one replica stays down: 60 scrapes, enough for the engine's deduplication to have to switch. */
const OUTAGE_SECONDS = 60;
/** Longest pause between samples that still counts as no gap: a few scrapes (the switch-over waits for one missed sample). */
const MAX_GAP_SECONDS = 8;
const now = () => Date.now() / 1000;
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

let rig: EngineRig;
let dir: string;
let instances: string[];
const timeline: { stoppedAt?: number; restartedAt?: number } = {};

beforeAll(async () => {
  requireTool('prometheus');
  requireTool('thanos');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-ha-engine-'));
  rig = await startEngineRig(dir);
  instances = rig.targets.map((t) => t.address);
  // Both pairs' samples reach the engine.
  await pollUntil(
    'both HA pairs visible through Thanos Query',
    async () => {
      const a = await instant(rig.query.url, rig.pair.selector, now(), false);
      const b = await instant(rig.query.url, rig.pairWithoutReplicaLabel.selector, now(), false);
      return a.length >= 4 && b.length >= 2 ? done(true) : notYet(`${a.length} series of the pair, ${b.length} of the broken pair`);
    },
    {
      timeoutMs: 60_000,
      intervalMs: 1000,
      // A Thanos build without -tags slicelabels panics on Query's first Store API call (stacks/versions.ts).
      abortIf: () => (rig.receive.process.isRunning ? undefined : `thanos-receive ${rig.receive.process.exitDescription}; last log lines:\n${rig.receive.process.logTail(12)}`),
    },
  );
  await sleep(15);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('HA Prometheus pair through Thanos Receive and Query (real processes)', () => {
  it('returns one deduplicated series per target, and one per replica without deduplication', async () => {
    const input = { selector: rig.pair.selector, instances, replicas: 2, replicaLabel: rig.pair.config.prometheus.replicaLabel, time: now() };
    const good = await checkOneSeriesPerTarget({ ...input, queryUrl: rig.query.url });
    expect(good.problems).toEqual([]);
    // Broken on purpose: dedup off (a Query without --query.replica-label) shows both replicas.
    const dedupOff = await checkOneSeriesPerTarget({ ...input, queryUrl: rig.queryWithoutDedup.url });
    expect(dedupOff.ok).toBe(false);
    expect(dedupOff.problems.join('\n')).toMatch(/2 series through the engine with deduplication, expected 1/);
    // Broken on purpose: no replica label, so the engine cannot tell the replicas apart.
    const noLabel = await checkOneSeriesPerTarget({ ...input, selector: rig.pairWithoutReplicaLabel.selector, queryUrl: rig.query.url });
    expect(noLabel.ok).toBe(false);
    expect(noLabel.problems.join('\n')).toMatch(/the replicas' samples are not kept apart/);
  });

  it('leaves no gap while one replica is stopped, and does not double-count after its restart', async () => {
    const [first] = rig.pair.replicas;
    timeline.stoppedAt = now();
    await first.stop();
    await sleep(OUTAGE_SECONDS);
    timeline.restartedAt = now();
    await first.start();
    await sleep(25);
    const end = now() - 5; // what Receive has certainly got
    const from = timeline.stoppedAt - 15;
    const gap = { selector: rig.pair.selector, instances, from, to: end, maxGapSeconds: MAX_GAP_SECONDS };
    const good = await checkNoGap({ ...gap, queryUrl: rig.query.url });
    expect(good.problems).toEqual([]);
    // Broken on purpose: dedup off shows the stopped replica's own series with its hole.
    const dedupOff = await checkNoGap({ ...gap, queryUrl: rig.queryWithoutDedup.url });
    expect(dedupOff.ok).toBe(false);
    expect(dedupOff.problems.join('\n')).toMatch(new RegExp(`replica prometheus-0\\): a gap of (5[0-9]|6[0-9]|7[0-9])`));

    // A window that holds the restart: the replica's WAL replay and resumed writes must not add samples.
    const count = { selector: rig.pair.selector, instances, windowSeconds: 30, scrapeIntervalSeconds: RIG_SCRAPE_SECONDS, time: timeline.restartedAt + 20, tolerance: 0.2 };
    const counted = await checkNoDoubleCount({ ...count, queryUrl: rig.query.url });
    expect(counted.problems).toEqual([]);
    const doubled = await checkNoDoubleCount({ ...count, queryUrl: rig.queryWithoutDedup.url });
    expect(doubled.ok).toBe(false);
    expect(doubled.problems.join('\n')).toMatch(/samples in 30 s through the engine, expected about 30/);
  });
});
