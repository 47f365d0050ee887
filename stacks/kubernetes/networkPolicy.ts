/**
 * Ingress NetworkPolicies. A pod selected by a policy accepts only what some policy allows, so
 * each monitoring service lists exactly who may reach which of its ports. Kubelet probes come from
 * the node and are not subject to these rules on common CNIs (Calico, Cilium).
 */
import type * as k8s from '@pulumi/kubernetes';
import type * as pulumi from '@pulumi/pulumi';
import { K8S_APP_LABELS, SERVICE_NAMES } from '../../generators/topology';
import { NAME_LABEL, selectorOf, serviceLabels } from './pod';

/** Who may connect: any source, pods in the namespace matching labels, or any pod of other namespaces. */
export type Peer = 'anywhere' | { readonly podLabels: Readonly<Record<string, string>> } | { readonly namespaces: readonly string[] };

/** The label the API server sets on every namespace (since Kubernetes 1.22). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

type PolicyPeer = k8s.types.input.networking.v1.NetworkPolicyPeer;

function policyPeer(p: Exclude<Peer, 'anywhere'>): PolicyPeer {
  if ('namespaces' in p) return { namespaceSelector: { matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: [...p.namespaces] }] } };
  return { podSelector: { matchLabels: { ...p.podLabels } } };
}

export interface IngressRule {
  readonly ports: readonly number[];
  readonly from: readonly Peer[];
  /** Default: TCP. Alertmanager gossip needs both. */
  readonly protocols?: readonly ('TCP' | 'UDP')[];
}

export const FROM_PROMETHEUS: Peer = { podLabels: { [NAME_LABEL]: SERVICE_NAMES.prometheus } };
export const FROM_ALERTMANAGER: Peer = { podLabels: { [NAME_LABEL]: SERVICE_NAMES.alertmanager } };
export const FROM_THANOS_QUERY: Peer = { podLabels: { [NAME_LABEL]: SERVICE_NAMES.thanosQuery } };
export const FROM_GRAFANA: Peer = { podLabels: { [NAME_LABEL]: SERVICE_NAMES.grafana } };
/** Application pods (the label the apps scrape job selects on). */
export const FROM_APPS: Peer = { podLabels: { [K8S_APP_LABELS.partOf]: K8S_APP_LABELS.partOfValue } };

/** Policy `<service>-ingress` selecting the service's pods. */
export function buildIngressPolicy(service: string, namespace: pulumi.Input<string>, rules: readonly IngressRule[]): k8s.networking.v1.NetworkPolicyArgs {
  return {
    metadata: { name: `${service}-ingress`, namespace, labels: serviceLabels(service) },
    spec: {
      podSelector: { matchLabels: selectorOf(service) },
      policyTypes: ['Ingress'],
      ingress: rules.map((r) => ({
        ports: r.ports.flatMap((port) => (r.protocols ?? ['TCP']).map((protocol) => ({ port, protocol }))),
        ...(r.from.includes('anywhere') ? {} : { from: r.from.filter((p): p is Exclude<Peer, 'anywhere'> => p !== 'anywhere').map(policyPeer) }),
      })),
    },
  };
}
