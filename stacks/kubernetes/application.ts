/**
 * One application on kubernetes: a Deployment carrying the scrape labels and annotations the apps
 * job of generators/prometheusConfig.ts selects on, a Service, an autoscaling/v2
 * HorizontalPodAutoscaler (CPU by default; a memory target is logged as a warning, see
 * stacks/config/warnings.ts) and a PodDisruptionBudget, all sized from config.apps[i].
 *
 * The Deployment leaves `replicas` unset: the HPA owns it, and with server-side apply a field
 * Pulumi does not set is a field `pulumi up` never resets.
 */
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { K8S_APP_LABELS, SCRAPE_ANNOTATIONS } from '../../generators/topology';
import type { AppConfig, StackConfig } from '../config/schema';
import { formatWarning, memoryTargetWarning } from '../config/warnings';
import { appRecipe } from '../recipes';
import { buildContainer, buildServiceArgs, podSecurityContext } from './pod';

export interface ApplicationArgs {
  readonly config: StackConfig;
  /** One entry of config.apps. */
  readonly app: AppConfig;
  readonly namespace: pulumi.Input<string>;
}

export function appLabels(app: AppConfig): Record<string, string> {
  return { [K8S_APP_LABELS.name]: app.name, [K8S_APP_LABELS.partOf]: K8S_APP_LABELS.partOfValue, 'app.kubernetes.io/managed-by': 'pulumi' };
}

export function appSelector(app: AppConfig): Record<string, string> {
  return { [K8S_APP_LABELS.name]: app.name, [K8S_APP_LABELS.partOf]: K8S_APP_LABELS.partOfValue };
}

export function scrapeAnnotations(app: AppConfig): Record<string, string> {
  return { [SCRAPE_ANNOTATIONS.scrape]: 'true', [SCRAPE_ANNOTATIONS.port]: String(app.port), [SCRAPE_ANNOTATIONS.path]: app.metricsPath };
}

export function buildDeploymentSpec(config: StackConfig, app: AppConfig, namespace: pulumi.Input<string>): k8s.apps.v1.DeploymentArgs {
  const recipe = appRecipe(config, app);
  return {
    metadata: { name: app.name, namespace, labels: appLabels(app) },
    spec: {
      selector: { matchLabels: appSelector(app) },
      // Never below the current count during a rollout: the PDB and the HPA both assume capacity.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: appLabels(app), annotations: scrapeAnnotations(app) },
        spec: {
          securityContext: podSecurityContext(recipe),
          // Spread replicas over nodes when the cluster allows it.
          topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: appSelector(app) } }],
          containers: [buildContainer(recipe, { volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }] })],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

export function buildAppServiceArgs(config: StackConfig, app: AppConfig, namespace: pulumi.Input<string>): k8s.core.v1.ServiceArgs {
  return buildServiceArgs(appRecipe(config, app), namespace, { labels: appLabels(app), selector: appSelector(app) });
}

export function buildHpaSpec(app: AppConfig, namespace: pulumi.Input<string>, deploymentName: pulumi.Input<string>): k8s.autoscaling.v2.HorizontalPodAutoscalerArgs {
  const utilization = (resource: 'cpu' | 'memory', percent: number): k8s.types.input.autoscaling.v2.MetricSpec => ({
    type: 'Resource',
    resource: { name: resource, target: { type: 'Utilization', averageUtilization: percent } },
  });
  return {
    metadata: { name: app.name, namespace, labels: appLabels(app) },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName },
      minReplicas: app.replicas.min,
      maxReplicas: app.replicas.max,
      metrics: [utilization('cpu', app.cpuTarget), ...(app.memoryTarget !== undefined ? [utilization('memory', app.memoryTarget)] : [])],
      behavior: {
        scaleUp: { stabilizationWindowSeconds: app.scaleUpStabilizationSeconds },
        scaleDown: { stabilizationWindowSeconds: app.scaleDownStabilizationSeconds },
      },
    },
  };
}

export function buildPdbSpec(app: AppConfig, namespace: pulumi.Input<string>): k8s.policy.v1.PodDisruptionBudgetArgs {
  return {
    metadata: { name: app.name, namespace, labels: appLabels(app) },
    spec: { minAvailable: app.minAvailable, selector: { matchLabels: appSelector(app) } },
  };
}

export class Application extends pulumi.ComponentResource {
  public readonly serviceName: pulumi.Output<string>;

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
    super('observatory:kubernetes:Application', name, {}, opts);
    const parent = { parent: this };
    const { config, app, namespace } = args;
    const warning = memoryTargetWarning(app, config.apps.indexOf(app));
    if (warning !== undefined) void pulumi.log.warn(formatWarning(config, warning), this);
    const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, buildDeploymentSpec(config, app, namespace), parent);
    const service = new k8s.core.v1.Service(`${name}-service`, buildAppServiceArgs(config, app, namespace), parent);
    new k8s.autoscaling.v2.HorizontalPodAutoscaler(`${name}-hpa`, buildHpaSpec(app, namespace, deployment.metadata.name), parent);
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, buildPdbSpec(app, namespace), parent);
    this.serviceName = service.metadata.name;
    this.registerOutputs({ serviceName: this.serviceName });
  }
}
