/**
 * node_exporter as a DaemonSet: one pod per node, discovered by Prometheus through the pod API
 * (the node-exporter job of generators/prometheusConfig.ts selects app.kubernetes.io/name).
 *
 * It uses the host's network and PID namespaces and reads /proc, /sys and / read-only, otherwise it
 * would report the pod's own view. Pod Security forbids all of that at `restricted` and at
 * `baseline`, so the component creates its own namespace (exporters.node.namespace) at
 * `privileged` and runs nothing else there; Prometheus lists its pods through a Role in it
 * (stacks/kubernetes/prometheus.ts). NetworkPolicies do not apply to host-network pods: the port
 * is reachable from the node network, so firewall it there if that matters.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { StackConfig } from '../config/schema';
import { NODE_EXPORTER_HOST_PATHS, nodeExporterRecipe } from '../recipes';
import { buildContainer, podSecurityContext, selectorOf, serviceLabels } from './pod';
import { buildNodeExporterNamespace } from './podSecurity';

export interface NodeExporterArgs {
  readonly config: StackConfig;
}

export function buildNodeExporterDaemonSet(config: StackConfig, namespace: pulumi.Input<string>): k8s.apps.v1.DaemonSetArgs {
  const recipe = nodeExporterRecipe(config);
  const container = buildContainer(recipe, {
    volumeMounts: [
      { name: 'proc', mountPath: NODE_EXPORTER_HOST_PATHS.proc, readOnly: true },
      { name: 'sys', mountPath: NODE_EXPORTER_HOST_PATHS.sys, readOnly: true },
      { name: 'root', mountPath: NODE_EXPORTER_HOST_PATHS.root, readOnly: true, mountPropagation: 'HostToContainer' },
    ],
  });
  return {
    metadata: { name: recipe.name, namespace, labels: serviceLabels(recipe.name) },
    spec: {
      selector: { matchLabels: selectorOf(recipe.name) },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '10%' } },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          automountServiceAccountToken: false,
          hostNetwork: true,
          hostPID: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          // Every node, including tainted ones (control plane, dedicated pools).
          tolerations: [{ operator: 'Exists' }],
          securityContext: podSecurityContext(recipe),
          containers: [container],
          volumes: [
            { name: 'proc', hostPath: { path: '/proc' } },
            { name: 'sys', hostPath: { path: '/sys' } },
            { name: 'root', hostPath: { path: '/' } },
          ],
        },
      },
    },
  };
}

export class NodeExporter extends pulumi.ComponentResource {
  /** Its namespace's name, an output of the Namespace: what is put there waits for it. */
  public readonly namespace: pulumi.Output<string>;

  constructor(name: string, args: NodeExporterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:NodeExporter', name, {}, opts);
    const ns = new k8s.core.v1.Namespace(`${name}-namespace`, buildNodeExporterNamespace(args.config), { parent: this });
    this.namespace = ns.metadata.name;
    new k8s.apps.v1.DaemonSet(`${name}-daemonset`, buildNodeExporterDaemonSet(args.config, this.namespace), { parent: this });
    this.registerOutputs({ namespace: this.namespace });
  }
}
