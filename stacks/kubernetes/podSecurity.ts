/**
 * Pod Security Admission levels of the stack's namespaces. The stack's own namespace enforces
 * `restricted`: every pod there runs as non-root, without privilege escalation, with all
 * capabilities dropped and the runtime's default seccomp profile (stacks/kubernetes/pod.ts). Only
 * node_exporter needs more (the host's network and PID namespaces, hostPath mounts of /proc, /sys
 * and /, a host port), which even `baseline` forbids: it gets a namespace of its own at
 * `privileged` and nothing else runs there.
 */
import type * as k8s from '@pulumi/kubernetes';
import type { StackConfig } from '../config/schema';
import { nodeExporterNamespace } from '../../generators/topology';

export type PodSecurityLevel = 'restricted' | 'baseline' | 'privileged';

/** enforce (refuse pods), audit (log) and warn (tell the client at apply time) at one level, the latest version of it. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/audit': level,
    'pod-security.kubernetes.io/warn': level,
  };
}

function namespaceLabels(config: StackConfig): Record<string, string> {
  return { 'app.kubernetes.io/managed-by': 'pulumi', 'observatory/stack': config.stack };
}

/** The stack's namespace: everything but node_exporter, at `restricted`. */
export function buildStackNamespace(config: StackConfig): k8s.core.v1.NamespaceArgs {
  return { metadata: { name: config.namespace, labels: { ...namespaceLabels(config), ...podSecurityLabels('restricted') } } };
}

/** node_exporter's namespace (exporters.node.namespace), at `privileged`. */
export function buildNodeExporterNamespace(config: StackConfig): k8s.core.v1.NamespaceArgs {
  return { metadata: { name: nodeExporterNamespace(config), labels: { ...namespaceLabels(config), ...podSecurityLabels('privileged') } } };
}
