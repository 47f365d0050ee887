/**
 * Grafana on kubernetes: admin password from a Pulumi secret (via a Secret), anonymous access off,
 * one ConfigMap per provisioning directory (datasources, dashboards providers, ...) and one per
 * dashboard, all projected into GRAFANA_DASHBOARDS_DIR, and its database on a PersistentVolumeClaim.
 * With grafana.ingress, an Ingress (TLS from a Secret when tlsSecretName is set) is the way in.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { ObservatoryError } from '../../catalog/errors';
import type { Artifact } from '../../generators/artifact';
import { PORTS } from '../../generators/topology';
import { filesUnder, type ShippedFile } from '../artifacts';
import type { StackConfig } from '../config/schema';
import { GRAFANA_DASHBOARDS_DIR, GRAFANA_DATA_DIR, GRAFANA_PROVISIONING_DIR } from '../paths';
import { IMAGE_USERS, grafanaRecipe } from '../recipes';
import { buildIngressPolicy } from './networkPolicy';
import { buildContainer, buildPvcArgs, buildServiceArgs, podSecurityContext, selectorOf, serviceLabels } from './pod';
import { buildVolumeData, type VolumeData } from './volumeData';

export interface GrafanaArgs {
  readonly config: StackConfig;
  /** The plain render; grafana/provisioning/ and dashboards/ are shipped from it. */
  readonly artifacts: readonly Artifact[];
  /** The grafanaAdminPassword secret. */
  readonly adminPassword: pulumi.Input<string>;
  readonly namespace: pulumi.Input<string>;
}

export interface GrafanaPlan {
  /** Provisioning subdirectory (e.g. "datasources") -> its files. */
  readonly provisioning: ReadonlyMap<string, VolumeData>;
  /** Dashboard uid (file name without .json) -> its file; one ConfigMap each. */
  readonly dashboards: ReadonlyMap<string, VolumeData>;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function planGrafana(config: StackConfig, artifacts: readonly Artifact[]): GrafanaPlan {
  const bySubdir = new Map<string, ShippedFile[]>();
  for (const f of filesUnder(artifacts, 'grafana/provisioning/')) {
    const slash = f.relPath.indexOf('/');
    if (slash < 0) throw new ObservatoryError(f.artifactPath, 'must be inside a provisioning directory (datasources/, dashboards/, ...); Grafana ignores files at the top level');
    const subdir = f.relPath.slice(0, slash);
    if (!DNS_LABEL.test(subdir)) throw new ObservatoryError(f.artifactPath, `provisioning directory "${subdir}" must be lower-case letters, digits and "-"`);
    bySubdir.set(subdir, [...(bySubdir.get(subdir) ?? []), { ...f, relPath: f.relPath.slice(slash + 1) }]);
  }
  const provisioning = new Map([...bySubdir].map(([dir, files]) => [dir, buildVolumeData(files, `stack ${config.stack}: ConfigMap grafana provisioning/${dir}`)]));
  const dashboards = new Map<string, VolumeData>();
  for (const f of filesUnder(artifacts, 'dashboards/')) {
    if (f.relPath.includes('/') || !f.relPath.endsWith('.json')) throw new ObservatoryError(f.artifactPath, 'dashboards must be flat dashboards/<uid>.json files');
    dashboards.set(f.relPath.slice(0, -'.json'.length), buildVolumeData([f], `stack ${config.stack}: ${f.artifactPath}`));
  }
  return { provisioning, dashboards };
}

export const GRAFANA_PVC = 'grafana-data';

export interface GrafanaRefs {
  readonly namespace: pulumi.Input<string>;
  readonly adminSecretName: pulumi.Input<string>;
  /** ConfigMap name per provisioning subdirectory (same keys as the plan). */
  readonly provisioningConfigMaps: ReadonlyMap<string, pulumi.Input<string>>;
  /** ConfigMap name per dashboard uid (same keys as the plan). */
  readonly dashboardConfigMaps: ReadonlyMap<string, pulumi.Input<string>>;
  readonly pvcName: pulumi.Input<string>;
}

export function buildGrafanaDeployment(config: StackConfig, plan: GrafanaPlan, refs: GrafanaRefs): k8s.apps.v1.DeploymentArgs {
  const recipe = grafanaRecipe(config);
  const ref = (m: ReadonlyMap<string, pulumi.Input<string>>, key: string) => {
    const name = m.get(key);
    if (name === undefined) throw new Error(`grafana: no ConfigMap for ${key}`);
    return name;
  };
  const volumes: k8s.types.input.core.v1.Volume[] = [{ name: 'data', persistentVolumeClaim: { claimName: refs.pvcName } }];
  const volumeMounts: k8s.types.input.core.v1.VolumeMount[] = [{ name: 'data', mountPath: GRAFANA_DATA_DIR }];
  for (const [dir, data] of [...plan.provisioning].sort(([a], [b]) => a.localeCompare(b))) {
    volumes.push({ name: `provisioning-${dir}`, configMap: { name: ref(refs.provisioningConfigMaps, dir), items: data.items } });
    volumeMounts.push({ name: `provisioning-${dir}`, mountPath: `${GRAFANA_PROVISIONING_DIR}/${dir}`, readOnly: true });
  }
  if (plan.dashboards.size > 0) {
    // One directory from many ConfigMaps: each dashboard stays under the 1 MiB object limit.
    const sources = [...plan.dashboards]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([uid, data]) => ({ configMap: { name: ref(refs.dashboardConfigMaps, uid), items: data.items } }));
    volumes.push({ name: 'dashboards', projected: { sources } });
    volumeMounts.push({ name: 'dashboards', mountPath: GRAFANA_DASHBOARDS_DIR, readOnly: true });
  }
  return {
    metadata: { name: recipe.name, namespace: refs.namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' }, // SQLite on a ReadWriteOnce volume
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(recipe, IMAGE_USERS.grafana),
          containers: [buildContainer(recipe, { secretName: refs.adminSecretName, volumeMounts })],
          volumes,
        },
      },
    },
  };
}

export const GRAFANA_INGRESS = 'grafana';

/**
 * The Ingress for config.grafana.ingress: one host, every path to the Service's http port, TLS from
 * the named Secret. Undefined without grafana.ingress.
 */
export function buildGrafanaIngress(config: StackConfig, namespace: pulumi.Input<string>, serviceName: pulumi.Input<string>): k8s.networking.v1.IngressArgs | undefined {
  const ingress = config.grafana.ingress;
  if (ingress === undefined) return undefined;
  return {
    metadata: {
      name: GRAFANA_INGRESS,
      namespace,
      labels: serviceLabels('grafana'),
      annotations: {
        ...ingress.annotations,
        // The provider would otherwise wait for the controller to publish an address, which some
        // controllers never do (ingress-nginx without --publish-service): `pulumi up` would time
        // out on a working Ingress. `kubectl get ingress` shows the address (docs/deploying.md).
        'pulumi.com/skipAwait': 'true',
      },
    },
    spec: {
      ...(ingress.className !== undefined ? { ingressClassName: ingress.className } : {}),
      ...(ingress.tlsSecretName !== undefined ? { tls: [{ hosts: [ingress.host], secretName: ingress.tlsSecretName }] } : {}),
      rules: [{ host: ingress.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: serviceName, port: { name: 'http' } } } }] } }],
    },
  };
}

export class Grafana extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    const plan = planGrafana(args.config, args.artifacts);
    super('observatory:kubernetes:Grafana', name, {}, opts);
    const parent = { parent: this };
    const ns = args.namespace;
    const labels = serviceLabels('grafana');

    // Keyed by the secret key the recipe's secretEnv names.
    const adminSecret = new k8s.core.v1.Secret(`${name}-admin`, { metadata: { namespace: ns, labels }, type: 'Opaque', stringData: { grafanaAdminPassword: pulumi.secret(args.adminPassword) } }, parent);
    const provisioningConfigMaps = new Map<string, pulumi.Input<string>>();
    for (const [dir, data] of plan.provisioning) {
      const cm = new k8s.core.v1.ConfigMap(`${name}-provisioning-${dir}`, { metadata: { namespace: ns, labels }, data: data.data }, parent);
      provisioningConfigMaps.set(dir, cm.metadata.name);
    }
    const dashboardConfigMaps = new Map<string, pulumi.Input<string>>();
    for (const [uid, data] of plan.dashboards) {
      const cm = new k8s.core.v1.ConfigMap(`${name}-dashboard-${uid}`, { metadata: { namespace: ns, labels }, data: data.data }, parent);
      dashboardConfigMaps.set(uid, cm.metadata.name);
    }
    const pvc = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, buildPvcArgs(GRAFANA_PVC, ns, args.config.storage.grafana, args.config.storage.storageClass, labels), parent);
    new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      buildGrafanaDeployment(args.config, plan, { namespace: ns, adminSecretName: adminSecret.metadata.name, provisioningConfigMaps, dashboardConfigMaps, pvcName: pvc.metadata.name }),
      parent,
    );
    const service = new k8s.core.v1.Service(`${name}-service`, buildServiceArgs(grafanaRecipe(args.config), ns, { type: args.config.serviceTypes.grafana }), parent);
    const ingress = buildGrafanaIngress(args.config, ns, service.metadata.name);
    if (ingress !== undefined) new k8s.networking.v1.Ingress(`${name}-ingress-route`, ingress, parent);
    // People reach Grafana (directly, through an Ingress or a LoadBalancer); only its UI port is open.
    new k8s.networking.v1.NetworkPolicy(`${name}-ingress`, buildIngressPolicy('grafana', ns, [{ ports: [PORTS.grafana], from: ['anywhere'] }]), parent);

    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
