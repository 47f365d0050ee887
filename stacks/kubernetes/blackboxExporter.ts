/**
 * blackbox_exporter on kubernetes: the uptime probes from inside the cluster. blackbox.yml comes
 * from a ConfigMap (auto-named, so a changed module rolls the pod); only Prometheus may reach it.
 * Its probes leave the pod for the apps' Services and the configured URLs (no egress policy).
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { BLACKBOX_CONFIG_DIR } from '../../generators/uptime';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { blackboxExporterRecipe } from '../recipes';
import { buildExporterDeployment, buildExporterIngressPolicy } from './exporter';
import { buildServiceArgs, serviceLabels } from './pod';
import { buildVolumeData, type VolumeData } from './volumeData';

/** Validates and shapes the shipped blackbox.yml; throws before anything is registered. */
export function planBlackboxExporter(config: StackConfig, artifacts: readonly Artifact[]): VolumeData {
  return buildVolumeData(filesUnder(artifacts, 'blackbox/'), `stack ${config.stack}: ConfigMap blackbox-exporter-config`);
}

export interface BlackboxExporterArgs {
  readonly config: StackConfig;
  /** The plain render, renderStack(config); everything under blackbox/ is shipped. */
  readonly artifacts: readonly Artifact[];
  readonly namespace: pulumi.Input<string>;
}

export class BlackboxExporter extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    const files = planBlackboxExporter(args.config, args.artifacts);
    super('observatory:kubernetes:BlackboxExporter', name, {}, opts);
    const parent = { parent: this };
    const recipe = blackboxExporterRecipe(args.config);
    const ns = args.namespace;
    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: { namespace: ns, labels: serviceLabels(recipe.name) }, data: files.data }, parent);
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      buildExporterDeployment(recipe, ns, undefined, { configMapName: configMap.metadata.name, data: files, mountPath: BLACKBOX_CONFIG_DIR }),
      parent,
    );
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(recipe, ns), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildExporterIngressPolicy(recipe, ns), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
