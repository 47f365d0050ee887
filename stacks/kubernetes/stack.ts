/**
 * The whole monitoring stack on kubernetes: a namespace (Pod Security `restricted`), one component
 * per service, one per application; node_exporter brings its own privileged namespace. Every child's plan (file routing, ConfigMap sizes) is checked before this component
 * registers, so a bad input leaves nothing half-created.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../../catalog/errors';
import { stackEndpoints, type StackEndpoints } from '../../generators/topology';
import { requireSecretValue, type PreparedStack } from '../monitoringStack';
import { Alertmanager, planAlertmanager } from './alertmanager';
import { Application } from './application';
import { BlackboxExporter, planBlackboxExporter } from './blackboxExporter';
import { Grafana, planGrafana } from './grafana';
import { Jaeger } from './jaeger';
import { NodeExporter } from './nodeExporter';
import { buildStackNamespace } from './podSecurity';
import { PostgresExporter, planPostgresExporter } from './postgresExporter';
import { Prometheus, planPrometheus } from './prometheus';
import { RedisExporter } from './redisExporter';
import { Thanos } from './thanos';

export type KubernetesMonitoringStackArgs = PreparedStack;

export class KubernetesMonitoringStack extends pulumi.ComponentResource {
  public readonly endpoints: StackEndpoints;

  constructor(name: string, args: KubernetesMonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const { config, artifacts, secrets } = args;
    if (config.target !== 'kubernetes') throw new ObservatoryError(`stack ${config.stack}: observatory:target`, `is "${config.target}", not kubernetes`);
    planPrometheus(config, artifacts);
    planAlertmanager(config, artifacts);
    planGrafana(config, artifacts);
    if (config.exporters.postgres.enabled) planPostgresExporter(config, artifacts);
    if (config.uptime.enabled) planBlackboxExporter(config, artifacts);
    const adminPassword = requireSecretValue(secrets, config, 'grafanaAdminPassword');
    const dsn = config.exporters.postgres.enabled ? requireSecretValue(secrets, config, 'postgresDsn') : undefined;
    super('observatory:kubernetes:MonitoringStack', name, {}, opts);

    // Pod Security `restricted` (stacks/kubernetes/podSecurity.ts); node_exporter gets its own namespace.
    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, buildStackNamespace(config), { parent: this });
    // Every object names the namespace through this output, so it waits for the Namespace.
    const namespace = ns.metadata.name;
    const parent = { parent: this };

    const nodeExporter = config.exporters.node.enabled ? new NodeExporter(`${name}-node-exporter`, { config }, parent) : undefined;
    new Prometheus(`${name}-prometheus`, { config, artifacts, namespace, secrets, nodeExporterNamespace: nodeExporter?.namespace }, parent);
    if (config.longTermStorage?.kind === 'thanos') new Thanos(`${name}-thanos`, { config, namespace }, parent);
    new Alertmanager(`${name}-alertmanager`, { config, artifacts, secretArtifacts: args.secretArtifacts, namespace }, parent);
    new Grafana(`${name}-grafana`, { config, artifacts, adminPassword, namespace }, parent);
    new Jaeger(`${name}-jaeger`, { config, namespace }, parent);
    if (dsn !== undefined) new PostgresExporter(`${name}-postgres-exporter`, { config, artifacts, dsn, namespace }, parent);
    if (config.exporters.redis.enabled) new RedisExporter(`${name}-redis-exporter`, { config, password: secrets.redisPassword, namespace }, parent);
    if (config.uptime.enabled) new BlackboxExporter(`${name}-blackbox-exporter`, { config, artifacts, namespace }, parent);
    for (const app of config.apps) new Application(`${name}-app-${app.name}`, { config, app, namespace }, parent);

    this.endpoints = stackEndpoints(config);
    this.registerOutputs({ ...this.endpoints });
  }
}
