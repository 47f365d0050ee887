/**
 * Prometheus on kubernetes: the rendered prometheus.yml and rule files in ConfigMaps, the TSDB on a
 * PersistentVolumeClaim, retention from config, and a ServiceAccount allowed to list and watch
 * pods in every watched namespace and in node_exporter's (the `role: pod` discovery of
 * generators/prometheusConfig.ts): one Role and RoleBinding per namespace, never a ClusterRole.
 *
 * ConfigMaps are auto-named: the provider replaces them (new name) when their data changes, which
 * changes the pod template and rolls Prometheus onto the new configuration.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { PORTS, PROMETHEUS_REPLICAS_SERVICE, PROMETHEUS_REPLICA_ENV, prometheusIsReplicated, watchedNamespaces } from '../../generators/topology';
import { remoteWriteSecretKeys } from '../../generators/remoteWrite';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import type { StackSecrets } from '../monitoringStack';
import { PROMETHEUS_CONFIG_DIR, PROMETHEUS_DATA_DIR, PROMETHEUS_RULES_DIR, PROMETHEUS_SECRETS_DIR } from '../paths';
import { requireSecretValue } from '../monitoringStack';
import { IMAGE_USERS, prometheusRecipe } from '../recipes';
import { FROM_GRAFANA, buildIngressPolicy } from './networkPolicy';
import { buildContainer, buildPvcArgs, buildServiceArgs, podSecurityContext, selectorOf, serviceLabels } from './pod';
import { buildVolumeData, type VolumeData } from './volumeData';

export interface PrometheusArgs {
  readonly config: StackConfig;
  /** The plain render, renderStack(config); everything under prometheus/ is shipped. */
  readonly artifacts: readonly Artifact[];
  /** Namespace name; pass the Namespace's output so every object waits for it. */
  readonly namespace: pulumi.Input<string>;
  /** node_exporter's namespace (the NodeExporter component's output) when it runs: a discovery Role there too. */
  readonly nodeExporterNamespace?: pulumi.Input<string>;
  /** The stack's secrets; the remote-write credentials the config names are mounted as files. Default: none */
  readonly secrets?: StackSecrets;
}

export interface PrometheusPlan {
  readonly config: VolumeData;
  /** Undefined when no rule files were rendered. */
  readonly rules?: VolumeData;
}

/** Validates and shapes the shipped files; throws before anything is registered. */
export function planPrometheus(config: StackConfig, artifacts: readonly Artifact[]): PrometheusPlan {
  const rules = filesUnder(artifacts, 'prometheus/rules/');
  return {
    config: buildVolumeData(filesUnder(artifacts, 'prometheus/'), `stack ${config.stack}: ConfigMap prometheus-config`),
    ...(rules.length > 0 ? { rules: buildVolumeData(rules, `stack ${config.stack}: ConfigMap prometheus-rules`) } : {}),
  };
}

/** The `prometheus` Service; with replicas a client sticks to one of them (their samples differ by milliseconds). */
export function buildPrometheusServiceArgs(config: StackConfig, namespace: pulumi.Input<string>): k8s.core.v1.ServiceArgs {
  const args = buildServiceArgs(prometheusRecipe(config), namespace);
  if (!prometheusIsReplicated(config)) return args;
  return { ...args, spec: { ...(args.spec as k8s.types.input.core.v1.ServiceSpec), sessionAffinity: 'ClientIP' } };
}

export const PROMETHEUS_SERVICE_ACCOUNT = 'prometheus';
export const PROMETHEUS_PVC = 'prometheus-data';

/** Read access to pods in the namespace: what `kubernetes_sd_configs: [{role: pod}]` lists and watches. */
export function buildPrometheusRole(namespace: pulumi.Input<string>): k8s.rbac.v1.RoleArgs {
  return {
    metadata: { name: 'prometheus-discovery', namespace, labels: serviceLabels('prometheus') },
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
  };
}

/** Binds the Role in `namespace` to the ServiceAccount, which lives in the stack's namespace. */
export function buildPrometheusRoleBinding(
  namespace: pulumi.Input<string>,
  roleName: pulumi.Input<string>,
  serviceAccountName: pulumi.Input<string>,
  serviceAccountNamespace: pulumi.Input<string> = namespace,
): k8s.rbac.v1.RoleBindingArgs {
  return {
    metadata: { name: 'prometheus-discovery', namespace, labels: serviceLabels('prometheus') },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
    subjects: [{ kind: 'ServiceAccount', name: serviceAccountName, namespace: serviceAccountNamespace }],
  };
}

/**
 * Resource-name suffix of the discovery Role and RoleBinding per watched namespace: none for the
 * stack's own (the names it always had), `-<namespace>` for each watchNamespaces entry.
 */
export function discoverySuffixes(config: StackConfig): { namespace: string; suffix: string }[] {
  return watchedNamespaces(config).map((namespace, i) => ({ namespace, suffix: i === 0 ? '' : `-${namespace}` }));
}

export interface PrometheusRefs {
  readonly namespace: pulumi.Input<string>;
  readonly configMapName: pulumi.Input<string>;
  /** Required when the plan has rules. */
  readonly rulesConfigMapName?: pulumi.Input<string>;
  readonly serviceAccountName: pulumi.Input<string>;
  /** The single-replica Deployment's claim; replicas get theirs from the StatefulSet's claim template. */
  readonly pvcName?: pulumi.Input<string>;
  /** Secret with the remote-write credentials (remoteWriteSecretKeys(config)); required when there are any. */
  readonly remoteWriteSecretName?: pulumi.Input<string>;
}

function prometheusVolumes(config: StackConfig, plan: PrometheusPlan, refs: PrometheusRefs): { volumes: k8s.types.input.core.v1.Volume[]; volumeMounts: k8s.types.input.core.v1.VolumeMount[] } {
  const volumes: k8s.types.input.core.v1.Volume[] = [{ name: 'config', configMap: { name: refs.configMapName, items: plan.config.items } }];
  if (refs.pvcName !== undefined) volumes.push({ name: 'data', persistentVolumeClaim: { claimName: refs.pvcName } });
  const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [
    { name: 'config', mountPath: PROMETHEUS_CONFIG_DIR, readOnly: true },
    { name: 'data', mountPath: PROMETHEUS_DATA_DIR },
  ];
  if (plan.rules) {
    if (refs.rulesConfigMapName === undefined) throw new Error('prometheus: rules ConfigMap name missing');
    volumes.push({ name: 'rules', configMap: { name: refs.rulesConfigMapName, items: plan.rules.items } });
    volumeMounts.push({ name: 'rules', mountPath: PROMETHEUS_RULES_DIR, readOnly: true });
  }
  const secretKeys = remoteWriteSecretKeys(config);
  if (secretKeys.length > 0) {
    if (refs.remoteWriteSecretName === undefined) throw new Error('prometheus: remote-write Secret name missing');
    volumes.push({ name: 'remote-write', secret: { secretName: refs.remoteWriteSecretName, items: secretKeys.map((key) => ({ key, path: key })), defaultMode: 0o440 } });
    volumeMounts.push({ name: 'remote-write', mountPath: PROMETHEUS_SECRETS_DIR, readOnly: true });
  }
  return { volumes, volumeMounts };
}

export function buildPrometheusDeployment(config: StackConfig, plan: PrometheusPlan, refs: PrometheusRefs): k8s.apps.v1.DeploymentArgs {
  const recipe = prometheusRecipe(config);
  const { volumes, volumeMounts } = prometheusVolumes(config, plan, refs);
  return {
    metadata: { name: recipe.name, namespace: refs.namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: 1,
      // The TSDB volume is ReadWriteOnce and locked by one process: stop the old pod first.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          serviceAccountName: refs.serviceAccountName,
          automountServiceAccountToken: true, // kubernetes service discovery
          securityContext: podSecurityContext(recipe, IMAGE_USERS.prometheus),
          // Time to write the head block on shutdown instead of replaying the WAL on start.
          terminationGracePeriodSeconds: 120,
          containers: [buildContainer(recipe, { volumeMounts })],
          volumes,
        },
      },
    },
  };
}

/**
 * Replicas: a StatefulSet, one claim per pod, every pod the same config; the pod name fills the
 * replica external label (PROMETHEUS_REPLICA from the downward API). Pods prefer different
 * nodes, so draining one node leaves a replica scraping.
 */
export function buildPrometheusStatefulSet(config: StackConfig, plan: PrometheusPlan, refs: PrometheusRefs): k8s.apps.v1.StatefulSetArgs {
  const recipe = prometheusRecipe(config);
  const { volumes, volumeMounts } = prometheusVolumes(config, plan, refs);
  const container = buildContainer(recipe, { volumeMounts });
  return {
    metadata: { name: recipe.name, namespace: refs.namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: config.prometheus.replicas,
      serviceName: PROMETHEUS_REPLICAS_SERVICE,
      // Replicas are independent copies: start and replace them side by side.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          serviceAccountName: refs.serviceAccountName,
          automountServiceAccountToken: true, // kubernetes service discovery
          securityContext: podSecurityContext(recipe, IMAGE_USERS.prometheus),
          terminationGracePeriodSeconds: 120,
          affinity: preferSpreadByNode(recipe.name),
          containers: [{ ...container, env: [{ name: PROMETHEUS_REPLICA_ENV, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] }],
          volumes,
        },
      },
      // `pulumi destroy` deletes the volumes, as it does the single replica's claim; scaling
      // down keeps them (a replica that comes back finds its data).
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: serviceLabels(recipe.name) },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: config.storage.prometheus } },
            ...(config.storage.storageClass !== undefined ? { storageClassName: config.storage.storageClass } : {}),
          },
        },
      ],
    },
  };
}

/** Replicas of one service on different nodes where the scheduler can. */
export function preferSpreadByNode(name: string): k8s.types.input.core.v1.Affinity {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorOf(name) } } }],
    },
  };
}

/** The headless Service that names each replica pod (StatefulSet serviceName). */
export function buildHeadlessServiceArgs(name: string, selectorName: string, namespace: pulumi.Input<string>, ports: k8s.types.input.core.v1.ServicePort[]): k8s.core.v1.ServiceArgs {
  return {
    metadata: { name, namespace, labels: serviceLabels(selectorName) },
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorOf(selectorName), ports },
  };
}

export class Prometheus extends pulumi.ComponentResource {
  /** In-cluster DNS name of the Service. */
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: PrometheusArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planPrometheus(args.config, args.artifacts);
    super('observatory:kubernetes:Prometheus', name, {}, opts);
    const parent = { parent: this };
    const ns = args.namespace;
    const labels = serviceLabels('prometheus');

    const configMap = new k8s.core.v1.ConfigMap(`${name}-config`, { metadata: { namespace: ns, labels }, data: plan.config.data }, parent);
    const rules = plan.rules ? new k8s.core.v1.ConfigMap(`${name}-rules`, { metadata: { namespace: ns, labels }, data: plan.rules.data }, parent) : undefined;
    const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: PROMETHEUS_SERVICE_ACCOUNT, namespace: ns, labels } }, parent);
    const bindings = discoverySuffixes(args.config).map(({ namespace, suffix }) => {
      // The stack's namespace through its output (wait for it); the others exist already.
      const where = suffix === '' ? ns : namespace;
      const role = new k8s.rbac.v1.Role(`${name}-discovery-role${suffix}`, buildPrometheusRole(where), parent);
      return new k8s.rbac.v1.RoleBinding(`${name}-discovery-binding${suffix}`, buildPrometheusRoleBinding(where, role.metadata.name, sa.metadata.name, ns), parent);
    });
    if (args.nodeExporterNamespace !== undefined) {
      // The node-exporter job lists the DaemonSet's pods in their own namespace.
      const role = new k8s.rbac.v1.Role(`${name}-discovery-role-node-exporter`, buildPrometheusRole(args.nodeExporterNamespace), parent);
      bindings.push(new k8s.rbac.v1.RoleBinding(`${name}-discovery-binding-node-exporter`, buildPrometheusRoleBinding(args.nodeExporterNamespace, role.metadata.name, sa.metadata.name, ns), parent));
    }
    const secretKeys = remoteWriteSecretKeys(args.config);
    const remoteWriteSecret =
      secretKeys.length > 0
        ? new k8s.core.v1.Secret(
            `${name}-remote-write`,
            { metadata: { namespace: ns, labels }, type: 'Opaque', stringData: Object.fromEntries(secretKeys.map((key) => [key, requireSecretValue(args.secrets ?? {}, args.config, key)])) },
            parent,
          )
        : undefined;
    const refs = {
      namespace: ns,
      configMapName: configMap.metadata.name,
      rulesConfigMapName: rules?.metadata.name,
      serviceAccountName: sa.metadata.name,
      remoteWriteSecretName: remoteWriteSecret?.metadata.name,
    };
    // Discovery must be allowed before Prometheus starts listing pods.
    const afterBinding = { parent: this, dependsOn: bindings };
    if (prometheusIsReplicated(args.config)) {
      new k8s.core.v1.Service(`${name}-replicas`, buildHeadlessServiceArgs(PROMETHEUS_REPLICAS_SERVICE, 'prometheus', ns, [{ name: 'http', port: PORTS.prometheus, targetPort: 'http', protocol: 'TCP' }]), parent);
      new k8s.apps.v1.StatefulSet(`${name}-statefulset`, buildPrometheusStatefulSet(args.config, plan, refs), afterBinding);
    } else {
      const pvc = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, buildPvcArgs(PROMETHEUS_PVC, ns, args.config.storage.prometheus, args.config.storage.storageClass, labels), parent);
      new k8s.apps.v1.Deployment(`${name}-deployment`, buildPrometheusDeployment(args.config, plan, { ...refs, pvcName: pvc.metadata.name }), afterBinding);
    }
    const service = new k8s.core.v1.Service(`${name}-service`, buildPrometheusServiceArgs(args.config, ns), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildIngressPolicy('prometheus', ns, [{ ports: [PORTS.prometheus], from: [FROM_GRAFANA] }]), parent);

    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
