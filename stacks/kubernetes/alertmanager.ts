/**
 * Alertmanager on kubernetes. Its configuration carries receiver secrets (webhook URLs, routing
 * keys, SMTP password), so the files under alertmanager/ travel in a Secret rendered with the
 * secret values; the plain render (with placeholders) only decides keys and sizes.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import type { Artifact } from '../../generators/artifact';
import { ALERTMANAGER_CLUSTER_SERVICE, PORTS, alertmanagerIsClustered } from '../../generators/topology';
import { filesUnder } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { ALERTMANAGER_CONFIG_DIR, ALERTMANAGER_DATA_DIR } from '../paths';
import { IMAGE_USERS, alertmanagerRecipe } from '../recipes';
import { FROM_ALERTMANAGER, FROM_GRAFANA, FROM_PROMETHEUS, buildIngressPolicy, type IngressRule } from './networkPolicy';
import { buildHeadlessServiceArgs, preferSpreadByNode } from './prometheus';
import { buildContainer, buildPvcArgs, buildServiceArgs, podSecurityContext, selectorOf, serviceLabels } from './pod';
import { buildVolumeData, type VolumeData } from './volumeData';

export interface AlertmanagerArgs {
  readonly config: StackConfig;
  /** The plain render; fixes which files exist and checks their size. */
  readonly artifacts: readonly Artifact[];
  /** The secret routes rendered with secret values (PreparedStack.secretArtifacts). */
  readonly secretArtifacts: pulumi.Input<Artifact[]>;
  readonly namespace: pulumi.Input<string>;
}

export function planAlertmanager(config: StackConfig, artifacts: readonly Artifact[]): VolumeData {
  return buildVolumeData(filesUnder(artifacts, 'alertmanager/'), `stack ${config.stack}: Secret alertmanager-config`);
}

export const ALERTMANAGER_PVC = 'alertmanager-data';

export interface AlertmanagerRefs {
  readonly namespace: pulumi.Input<string>;
  readonly configSecretName: pulumi.Input<string>;
  readonly pvcName: pulumi.Input<string>;
}

export function buildAlertmanagerDeployment(config: StackConfig, plan: VolumeData, refs: AlertmanagerRefs): k8s.apps.v1.DeploymentArgs {
  const recipe = alertmanagerRecipe(config);
  return {
    metadata: { name: recipe.name, namespace: refs.namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' }, // ReadWriteOnce data volume
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(recipe, IMAGE_USERS.alertmanager),
          containers: [
            buildContainer(recipe, {
              volumeMounts: [
                { name: 'config', mountPath: ALERTMANAGER_CONFIG_DIR, readOnly: true },
                { name: 'data', mountPath: ALERTMANAGER_DATA_DIR },
              ],
            }),
          ],
          volumes: [
            { name: 'config', secret: { secretName: refs.configSecretName, items: plan.items, defaultMode: 0o440 } },
            { name: 'data', persistentVolumeClaim: { claimName: refs.pvcName } },
          ],
        },
      },
    },
  };
}

/**
 * A gossiping cluster: a StatefulSet whose pods are alertmanager-<i> under the headless
 * ALERTMANAGER_CLUSTER_SERVICE (their stable DNS names are the --cluster.peer list and
 * Prometheus's targets), one claim per pod for silences and the notification log, pods on
 * different nodes where possible.
 */
export function buildAlertmanagerStatefulSet(config: StackConfig, plan: VolumeData, refs: Omit<AlertmanagerRefs, 'pvcName'>): k8s.apps.v1.StatefulSetArgs {
  const recipe = alertmanagerRecipe(config);
  const single = buildAlertmanagerDeployment(config, plan, { ...refs, pvcName: 'unused' });
  const podSpec = ((single.spec as k8s.types.input.apps.v1.DeploymentSpec).template as k8s.types.input.core.v1.PodTemplateSpec).spec as k8s.types.input.core.v1.PodSpec;
  return {
    metadata: { name: recipe.name, namespace: refs.namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: config.alertmanager.replicas,
      serviceName: ALERTMANAGER_CLUSTER_SERVICE,
      // Members join each other; starting them together lets the gossip settle once.
      podManagementPolicy: 'Parallel',
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          ...podSpec,
          affinity: preferSpreadByNode(recipe.name),
          volumes: [{ name: 'config', secret: { secretName: refs.configSecretName, items: plan.items, defaultMode: 0o440 } }],
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
            resources: { requests: { storage: config.storage.alertmanager } },
            ...(config.storage.storageClass !== undefined ? { storageClassName: config.storage.storageClass } : {}),
          },
        },
      ],
    },
  };
}

/** Who may reach Alertmanager: Prometheus and Grafana on the API; the other members on the gossip port (TCP and UDP). */
export function alertmanagerIngressRules(config: StackConfig): IngressRule[] {
  const rules: IngressRule[] = [{ ports: [PORTS.alertmanager], from: [FROM_PROMETHEUS, FROM_GRAFANA] }];
  if (alertmanagerIsClustered(config)) rules.push({ ports: [PORTS.alertmanagerCluster], from: [FROM_ALERTMANAGER], protocols: ['TCP', 'UDP'] });
  return rules;
}

export class Alertmanager extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: AlertmanagerArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planAlertmanager(args.config, args.artifacts);
    super('observatory:kubernetes:Alertmanager', name, {}, opts);
    const parent = { parent: this };
    const ns = args.namespace;
    const labels = serviceLabels('alertmanager');
    const stack = args.config.stack;

    const stringData = pulumi.secret(
      pulumi.output(args.secretArtifacts).apply((rendered) => buildVolumeData(filesUnder(rendered, 'alertmanager/'), `stack ${stack}: Secret alertmanager-config`).data),
    );
    const secret = new k8s.core.v1.Secret(`${name}-config`, { metadata: { namespace: ns, labels }, type: 'Opaque', stringData }, parent);
    if (alertmanagerIsClustered(args.config)) {
      new k8s.core.v1.Service(
        `${name}-cluster`,
        buildHeadlessServiceArgs(ALERTMANAGER_CLUSTER_SERVICE, 'alertmanager', ns, [
          { name: 'http', port: PORTS.alertmanager, targetPort: 'http', protocol: 'TCP' },
          { name: 'cluster-tcp', port: PORTS.alertmanagerCluster, targetPort: PORTS.alertmanagerCluster, protocol: 'TCP' },
          { name: 'cluster-udp', port: PORTS.alertmanagerCluster, targetPort: PORTS.alertmanagerCluster, protocol: 'UDP' },
        ]),
        parent,
      );
      new k8s.apps.v1.StatefulSet(`${name}-statefulset`, buildAlertmanagerStatefulSet(args.config, plan, { namespace: ns, configSecretName: secret.metadata.name }), parent);
    } else {
      const pvc = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, buildPvcArgs(ALERTMANAGER_PVC, ns, args.config.storage.alertmanager, args.config.storage.storageClass, labels), parent);
      new k8s.apps.v1.Deployment(`${name}-deployment`, buildAlertmanagerDeployment(args.config, plan, { namespace: ns, configSecretName: secret.metadata.name, pvcName: pvc.metadata.name }), parent);
    }
    // The Service balances the API (Grafana's datasource) over the members; gossip keeps them equal.
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(alertmanagerRecipe(args.config), ns, { ports: [{ name: 'http', port: PORTS.alertmanager }] }), parent);
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildIngressPolicy('alertmanager', ns, alertmanagerIngressRules(args.config)), parent);

    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
