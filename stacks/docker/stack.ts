/**
 * The whole monitoring stack on one Docker engine (dev): a network, one component per service, one
 * per application. The config was checked
 * (stacks/config/load.ts) before this component registers, so bad input creates nothing.
 */
import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../../catalog/errors';
import { stackEndpoints, type StackEndpoints } from '../../generators/topology';
import { requireSecretValue, type PreparedStack } from '../monitoringStack';
import { Alertmanager } from './alertmanager';
import { Application } from './application';
import { BlackboxExporter } from './blackboxExporter';
import { dockerName } from './container';
import { Grafana } from './grafana';
import { Jaeger } from './jaeger';
import { NodeExporter } from './nodeExporter';
import { PostgresExporter } from './postgresExporter';
import { Prometheus } from './prometheus';
import { RedisExporter } from './redisExporter';
import { Thanos } from './thanos';

export type DockerMonitoringStackArgs = PreparedStack;

export class DockerMonitoringStack extends pulumi.ComponentResource {
  public readonly endpoints: StackEndpoints;

  constructor(name: string, args: DockerMonitoringStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const { config, artifacts, secrets } = args;
    if (config.target !== 'docker') throw new ObservatoryError(`stack ${config.stack}: observatory:target`, `is "${config.target}", not docker`);
    const adminPassword = requireSecretValue(secrets, config, 'grafanaAdminPassword');
    const dsn = config.exporters.postgres.enabled ? requireSecretValue(secrets, config, 'postgresDsn') : undefined;
    super('observatory:docker:MonitoringStack', name, {}, opts);

    const net = new docker.Network(
      `${name}-network`,
      { name: dockerName(config, 'net'), labels: [{ label: 'observatory.stack', value: config.stack }] },
      { parent: this },
    );
    const network = net.name;
    const parent = { parent: this };

    new Prometheus(`${name}-prometheus`, { config, network, artifacts, secrets }, parent);
    if (config.longTermStorage?.kind === 'thanos') new Thanos(`${name}-thanos`, { config, network }, parent);
    new Alertmanager(`${name}-alertmanager`, { config, network, artifacts, secretArtifacts: args.secretArtifacts }, parent);
    new Grafana(`${name}-grafana`, { config, network, artifacts, adminPassword }, parent);
    new Jaeger(`${name}-jaeger`, { config, network }, parent);
    if (dsn !== undefined) new PostgresExporter(`${name}-postgres-exporter`, { config, network, artifacts, dsn }, parent);
    if (config.exporters.redis.enabled) new RedisExporter(`${name}-redis-exporter`, { config, network, password: secrets.redisPassword }, parent);
    if (config.exporters.node.enabled) new NodeExporter(`${name}-node-exporter`, { config, network }, parent);
    if (config.uptime.enabled) new BlackboxExporter(`${name}-blackbox-exporter`, { config, network, artifacts }, parent);
    for (const app of config.apps) new Application(`${name}-app-${app.name}`, { config, network, app }, parent);

    this.endpoints = stackEndpoints(config);
    this.registerOutputs({ ...this.endpoints });
  }
}
