/**
 * Pure builders shared by the kubernetes components: labels, the restricted security context,
 * probes, and a container from a recipe. Secret environment variables always come from a Secret
 * by reference (`valueFrom.secretKeyRef`), never as a literal `value`.
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import type { ContainerRecipe, HttpCheck, NamedPort, TcpCheck } from '../recipes';

type Container = k8s.types.input.core.v1.Container;
type Probe = k8s.types.input.core.v1.Probe;

export const NAME_LABEL = 'app.kubernetes.io/name';

/** Labels of a monitoring service's pods and objects. The selector is only the name label. */
export function serviceLabels(name: string): Record<string, string> {
  return { [NAME_LABEL]: name, 'app.kubernetes.io/component': 'monitoring', 'app.kubernetes.io/managed-by': 'pulumi' };
}

export function selectorOf(name: string): Record<string, string> {
  return { [NAME_LABEL]: name };
}

/** The "restricted" Pod Security Standard for one container. */
export function containerSecurityContext(recipe: ContainerRecipe): k8s.types.input.core.v1.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: recipe.user,
    ...(recipe.group !== undefined ? { runAsGroup: recipe.group } : {}),
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: recipe.readOnlyRootFilesystem,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod-level context; fsGroup makes persistent volumes writable by the (non-root) user. */
export function podSecurityContext(recipe: ContainerRecipe, fsGroup?: number): k8s.types.input.core.v1.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: recipe.user,
    ...(fsGroup !== undefined ? { fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Readiness: quick to react, and may check dependencies (an unready pod only leaves the Service).
 * Liveness: slow to kill (a slow start is not a dead process) and on its own check, so an outage of
 * a dependency never restarts every pod at once.
 */
export function probes(recipe: ContainerRecipe): { readinessProbe: Probe; livenessProbe: Probe } {
  const check = (c: HttpCheck | TcpCheck): Probe => ('tcpPort' in c ? { tcpSocket: { port: c.tcpPort } } : { httpGet: { path: c.path, port: c.port } });
  return {
    readinessProbe: { ...check(recipe.readiness), initialDelaySeconds: 5, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
    livenessProbe: { ...check(recipe.liveness), initialDelaySeconds: 30, periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4 },
  };
}

export interface ContainerOptions {
  /** Secret holding the values of recipe.secretEnv, keyed by secret key. Required when secretEnv is not empty. */
  readonly secretName?: pulumi.Input<string>;
  /** Default: none */
  readonly volumeMounts?: k8s.types.input.core.v1.VolumeMount[];
}

export function buildContainer(recipe: ContainerRecipe, options: ContainerOptions = {}): Container {
  const env: k8s.types.input.core.v1.EnvVar[] = Object.keys(recipe.env)
    .sort()
    .map((name) => ({ name, value: recipe.env[name] }));
  for (const name of Object.keys(recipe.secretEnv).sort()) {
    if (options.secretName === undefined) throw new Error(`${recipe.name}: secret env ${name} needs a Secret`);
    env.push({ name, valueFrom: { secretKeyRef: { name: options.secretName, key: recipe.secretEnv[name] } } });
  }
  return {
    name: recipe.name,
    image: recipe.image,
    imagePullPolicy: 'IfNotPresent',
    ...(recipe.args.length > 0 ? { args: [...recipe.args] } : {}),
    ...(env.length > 0 ? { env } : {}),
    ports: recipe.ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
    resources: {
      requests: { cpu: recipe.resources.requests.cpu, memory: recipe.resources.requests.memory },
      limits: { cpu: recipe.resources.limits.cpu, memory: recipe.resources.limits.memory },
    },
    ...probes(recipe),
    securityContext: containerSecurityContext(recipe),
    ...(options.volumeMounts && options.volumeMounts.length > 0 ? { volumeMounts: options.volumeMounts } : {}),
  };
}

/**
 * One stateless replica of a recipe's container, no service-account token (none of these talk to
 * the API server). For components that keep no state worth a second copy: the exporters (one
 * scraper per database is enough) and Jaeger (traces in memory).
 */
export function buildSingleReplicaDeployment(
  recipe: ContainerRecipe,
  namespace: pulumi.Input<string>,
  options: ContainerOptions & { readonly volumes?: k8s.types.input.core.v1.Volume[] } = {},
): k8s.apps.v1.DeploymentArgs {
  const { volumes, ...container } = options;
  return {
    metadata: { name: recipe.name, namespace, labels: serviceLabels(recipe.name) },
    spec: {
      replicas: 1,
      selector: { matchLabels: selectorOf(recipe.name) },
      template: {
        metadata: { labels: serviceLabels(recipe.name) },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurityContext(recipe),
          containers: [buildContainer(recipe, container)],
          ...(volumes && volumes.length > 0 ? { volumes } : {}),
        },
      },
    },
  };
}

export interface ServiceOptions {
  /** Default: ClusterIP; only config.serviceTypes changes it. */
  readonly type?: 'ClusterIP' | 'LoadBalancer' | 'NodePort';
  /** Default: recipe.ports */
  readonly ports?: readonly NamedPort[];
  /** Default: serviceLabels(recipe.name) */
  readonly labels?: Record<string, string>;
  /** Default: selectorOf(recipe.name) */
  readonly selector?: Record<string, string>;
}

/** A Service named after the recipe (its DNS name, generators/topology.ts hostOf). */
export function buildServiceArgs(recipe: ContainerRecipe, namespace: pulumi.Input<string>, options: ServiceOptions = {}): k8s.core.v1.ServiceArgs {
  return {
    metadata: { name: recipe.name, namespace, labels: options.labels ?? serviceLabels(recipe.name) },
    spec: {
      type: options.type ?? 'ClusterIP',
      selector: options.selector ?? selectorOf(recipe.name),
      ports: (options.ports ?? recipe.ports).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
    },
  };
}

/** A PersistentVolumeClaim that does not block `pulumi up` on WaitForFirstConsumer storage classes. */
export function buildPvcArgs(name: string, namespace: pulumi.Input<string>, size: string, storageClass: string | undefined, labels: Record<string, string>): k8s.core.v1.PersistentVolumeClaimArgs {
  return {
    metadata: {
      name,
      namespace,
      labels,
      // Such classes bind only once a pod uses the claim, and the pod waits for the claim.
      annotations: { 'pulumi.com/skipAwait': 'true' },
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(storageClass !== undefined ? { storageClassName: storageClass } : {}),
    },
  };
}
