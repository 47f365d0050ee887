/**
 * The Alertmanager cluster fault rig: three Alertmanagers (the pinned build) gossiping on
 * 127.0.0.1 with the deployed cluster flags, a webhook receiver, and the rendered HA Prometheus
 * pair sending every alert to all three (external replica label dropped from alerts, as
 * rendered). `clustered: false` starts the same three with gossip off: the broken variant.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROMETHEUS_REPLICA_ENV, replicaName } from '../../generators/topology';
import { toYaml } from '../../generators/yaml';
import { freePorts } from '../ports';
import { Supervisor, onInterrupt } from '../processes';
import { startAlertmanager, type AlertmanagerService } from '../services/alertmanager';
import { PrometheusService } from '../services/prometheus';
import { WebhookReceiver, receiverPath } from '../webhookReceiver';
import { haStackConfig, replicaPrometheusYaml } from './haConfig';

export const AM_REPLICAS = 3;
/** Alert the incident scenario fires from the start. */
export const INCIDENT_ALERT = 'HaIncident';
/** Alert the silence scenario fires once the silence exists (rule file added, Prometheus reloaded). */
export const SILENCED_ALERT = 'HaSilenced';
export const WEBHOOK_RECEIVER = 'team';
/**
 * group_wait of the rig: long enough to kill the first Alertmanager between receiving the alert
 * and notifying, short enough for CI. The others then notify after group_wait plus their
 * position times --cluster.peer-timeout (15 s, the deployed default).
 */
export const RIG_GROUP_WAIT_SECONDS = 10;

export interface AlertmanagerRig {
  readonly alertmanagers: readonly AlertmanagerService[];
  readonly prometheus: readonly PrometheusService[];
  readonly webhook: WebhookReceiver;
  /** Adds the SILENCED_ALERT rule to both Prometheus replicas. */
  fireSilencedAlert(): Promise<void>;
  stop(): Promise<void>;
}

function alertmanagerYaml(webhookUrl: string): string {
  return toYaml({
    route: { receiver: WEBHOOK_RECEIVER, group_by: ['alertname'], group_wait: `${RIG_GROUP_WAIT_SECONDS}s`, group_interval: '5m', repeat_interval: '4h' },
    receivers: [{ name: WEBHOOK_RECEIVER, webhook_configs: [{ url: `${webhookUrl}${receiverPath(WEBHOOK_RECEIVER, 'webhook', 0)}`, send_resolved: false }] }],
  });
}

function ruleYaml(alert: string): string {
  return toYaml({ groups: [{ name: alert, rules: [{ alert, expr: 'vector(1)', labels: { severity: 'critical', service: 'ha-demo' } }] }] });
}

export async function startAlertmanagerRig(dir: string, clustered: boolean): Promise<AlertmanagerRig> {
  const supervisor = new Supervisor(path.join(dir, 'logs'));
  const webhook = new WebhookReceiver();
  const stop = async () => {
    await supervisor.stopAll();
    await webhook.stop();
  };
  const unhook = onInterrupt(stop);
  try {
    const ports = await freePorts(['hook', 'w0', 'w1', 'w2', 'c0', 'c1', 'c2', 'p0', 'p1'] as const);
    await webhook.start(ports.hook);
    const amConfig = path.join(dir, 'alertmanager.yml');
    fs.writeFileSync(amConfig, alertmanagerYaml(webhook.url));
    const web = [ports.w0, ports.w1, ports.w2];
    const gossip = [ports.c0, ports.c1, ports.c2];
    // Started together: each member's readiness waits for the gossip to settle.
    const alertmanagers = await Promise.all(
      web.map((port, i) =>
        startAlertmanager(supervisor, amConfig, path.join(dir, `am-${i}`), port, { name: replicaName('alertmanager', i), clusterPort: clustered ? gossip[i] : undefined, peerPorts: gossip }),
      ),
    );

    const config = haStackConfig('ha', { prometheus: { replicas: 2 }, alertmanager: { replicas: AM_REPLICAS } });
    const rulesDir = path.join(dir, 'rules');
    fs.mkdirSync(rulesDir);
    fs.writeFileSync(path.join(rulesDir, `${INCIDENT_ALERT}.yml`), ruleYaml(INCIDENT_ALERT));
    const prometheus = [ports.p0, ports.p1].map((port, i) => {
      const name = replicaName('prometheus', i);
      const file = path.join(dir, `${name}.yml`);
      fs.writeFileSync(file, replicaPrometheusYaml(config, { interval: '1s', targets: [`127.0.0.1:${port}`], alertmanagers: web.map((p) => `127.0.0.1:${p}`), ruleFiles: [path.join(rulesDir, '*.yml')] }));
      return new PrometheusService(supervisor, file, path.join(dir, `${name}-data`), port, { name, env: { [PROMETHEUS_REPLICA_ENV]: name } });
    });
    for (const p of prometheus) await p.start();
    return {
      alertmanagers, prometheus, webhook,
      fireSilencedAlert: async () => {
        fs.writeFileSync(path.join(rulesDir, `${SILENCED_ALERT}.yml`), ruleYaml(SILENCED_ALERT));
        for (const p of prometheus) await p.reload();
      },
      stop: async () => {
        unhook();
        await stop();
      },
    };
  } catch (e) {
    unhook();
    await stop();
    throw e;
  }
}
