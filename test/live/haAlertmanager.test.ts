/**
 * Issue 16, the Alertmanager half: three Alertmanagers (the pinned build) gossiping with the
 * deployed cluster flags, fed by the rendered HA Prometheus pair (every alert to every member).
 * The member that would notify first is killed mid-incident; the alert must still be notified,
 * exactly once; a silence made on one survivor must hold on the other. The same scenario runs at
 * the same time on three members with gossip off (the broken variant), where both checks must fail.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkNotNotified, checkNotifiedExactlyOnce, checkSilenceHonoured, createSilence, holdsActive, notificationsOf, peerPosition,
} from '../../live/ha/alertmanagerChecks';
import { INCIDENT_ALERT, RIG_GROUP_WAIT_SECONDS, SILENCED_ALERT, startAlertmanagerRig, type AlertmanagerRig } from '../../live/ha/alertmanagerRig';
import { done, notYet, pollUntil } from '../../live/poll';
import { replicaName } from '../../generators/topology';
import { requireTool } from '../tools';

/** Alertmanager's default --cluster.peer-timeout: member n notifies n x this after the first would have. */
const PEER_TIMEOUT_SECONDS = 15;
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

let dir: string;
let cluster: AlertmanagerRig;
let unclustered: AlertmanagerRig;
/** Index of the killed member in each rig. */
const killed = new Map<AlertmanagerRig, number>();

const members = (rig: AlertmanagerRig) =>
  rig.alertmanagers.map((am, i) => ({ name: replicaName('alertmanager', i), url: am.url, index: i })).filter((m) => m.index !== killed.get(rig));

beforeAll(async () => {
  requireTool('alertmanager');
  requireTool('prometheus');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observatory-ha-am-'));
  fs.mkdirSync(path.join(dir, 'cluster'));
  fs.mkdirSync(path.join(dir, 'unclustered'));
  [cluster, unclustered] = await Promise.all([startAlertmanagerRig(path.join(dir, 'cluster'), true), startAlertmanagerRig(path.join(dir, 'unclustered'), false)]);
}, 150_000);

afterAll(async () => {
  await Promise.all([cluster?.stop(), unclustered?.stop()]);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Waits until every member holds the incident, then SIGKILLs the one first in notification order. */
async function killFirstNotifier(rig: AlertmanagerRig): Promise<void> {
  await pollUntil(
    `every Alertmanager holds ${INCIDENT_ALERT}`,
    async () => {
      const held = await Promise.all(rig.alertmanagers.map((am) => holdsActive(am.url, INCIDENT_ALERT)));
      return held.every(Boolean) ? done(true) : notYet(`held by ${held.filter(Boolean).length} of ${held.length}`);
    },
    { timeoutMs: RIG_GROUP_WAIT_SECONDS * 1000 - 2000, intervalMs: 250 },
  );
  const positions = await Promise.all(rig.alertmanagers.map((am) => peerPosition(am.url)));
  const first = Math.max(0, positions.indexOf(0));
  killed.set(rig, first);
  await rig.alertmanagers[first].process.stop(0); // SIGTERM, then SIGKILL at once: no graceful hand-over
}

describe('clustered Alertmanagers (real processes)', () => {
  it('notify a firing alert exactly once when the first notifier is killed mid-incident', async () => {
    await Promise.all([killFirstNotifier(cluster), killFirstNotifier(unclustered)]);
    // The second in order notifies after group_wait + 1 peer timeout; the third would at + 2.
    await pollUntil('the incident notified', async () => (notificationsOf(cluster.webhook.notifications, INCIDENT_ALERT).length > 0 ? done(true) : notYet('no notification yet')), {
      timeoutMs: (RIG_GROUP_WAIT_SECONDS + 2 * PEER_TIMEOUT_SECONDS + 15) * 1000,
      intervalMs: 500,
    });
    await sleep(2 * PEER_TIMEOUT_SECONDS + 5); // a duplicate from the third member would arrive by now
    const good = checkNotifiedExactlyOnce(cluster.webhook.notifications, INCIDENT_ALERT);
    expect(good.problems).toEqual([]);
    // Broken on purpose: gossip off, so both survivors notify.
    const broken = checkNotifiedExactlyOnce(unclustered.webhook.notifications, INCIDENT_ALERT);
    expect(broken.ok).toBe(false);
    expect(broken.problems).toEqual([`${INCIDENT_ALERT}: 2 notifications at the webhook receiver, expected exactly 1`]);
  });

  it('honour a silence made on one member on every other member', async () => {
    const silence = async (rig: AlertmanagerRig) => createSilence(members(rig)[0].url, SILENCED_ALERT);
    const [id, brokenId] = await Promise.all([silence(cluster), silence(unclustered)]);
    await sleep(2); // gossip interval is 200 ms
    await Promise.all([cluster.fireSilencedAlert(), unclustered.fireSilencedAlert()]);
    await sleep(RIG_GROUP_WAIT_SECONDS + 2 * PEER_TIMEOUT_SECONDS + 5);
    const good = await checkSilenceHonoured(members(cluster), id, SILENCED_ALERT);
    expect(good.problems).toEqual([]);
    expect(checkNotNotified(cluster.webhook.notifications, SILENCED_ALERT).problems).toEqual([]);
    // Broken on purpose: without gossip the other survivor never hears of the silence and notifies.
    const broken = await checkSilenceHonoured(members(unclustered), brokenId, SILENCED_ALERT);
    expect(broken.ok).toBe(false);
    expect(broken.problems.join('\n')).toMatch(/does not know silence/);
    expect(checkNotNotified(unclustered.webhook.notifications, SILENCED_ALERT).ok).toBe(false);
  });
});
