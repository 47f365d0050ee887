/**
 * kwok's Stage objects for the test cluster: what a kubelet would report, played by kwok for every
 * node and pod it manages. A node becomes Ready with the capacity it was registered with; a pod
 * bound to a node becomes Running and Ready with every container started (the readiness probes
 * are not run: there is no container); a pod being deleted is removed. The standalone kwok binary
 * ships no stages of its own (kwokctl adds them), so the test writes these.
 */
import * as yaml from 'js-yaml';

/** The annotation kwok selects the nodes it manages by, and the one carrying a node's IP. */
export const KWOK_NODE_ANNOTATION = 'kwok.x-k8s.io/node';
export const NODE_IP_ANNOTATION = 'observatory.test/internal-ip';

const stage = (name: string, kind: 'Node' | 'Pod', matchExpressions: object[], next: object) => ({
  apiVersion: 'kwok.x-k8s.io/v1alpha1',
  kind: 'Stage',
  metadata: { name },
  spec: { resourceRef: { apiGroup: 'v1', kind }, selector: { matchExpressions }, next },
});

const notReady = { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: 'NotIn', values: ['True'] };
const notDeleted = { key: '.metadata.deletionTimestamp', operator: 'DoesNotExist' };

const NODE_STATUS = `{{ $now := Now }}
conditions:
- {type: Ready, status: "True", reason: KubeletReady, message: "kwok plays the kubelet", lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }}}
- {type: MemoryPressure, status: "False", reason: KubeletHasSufficientMemory, message: "", lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }}}
- {type: DiskPressure, status: "False", reason: KubeletHasNoDiskPressure, message: "", lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }}}
- {type: PIDPressure, status: "False", reason: KubeletHasSufficientPID, message: "", lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }}}
addresses:
- {type: InternalIP, address: {{ index .metadata.annotations "${NODE_IP_ANNOTATION}" | Quote }}}
- {type: Hostname, address: {{ .metadata.name | Quote }}}
capacity: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 200Gi}
allocatable: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 200Gi}
nodeInfo: {architecture: amd64, operatingSystem: linux, kubeletVersion: {{ printf "kwok-%s" Version | Quote }}, containerRuntimeVersion: kwok, kernelVersion: kwok, kubeProxyVersion: kwok, osImage: kwok, machineID: "", bootID: "", systemUUID: ""}
phase: Running
`;

const POD_STATUS = `{{ $now := Now }}
conditions:
- {type: PodScheduled, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: ContainersReady, status: "True", lastTransitionTime: {{ $now | Quote }}}
- {type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }}}
containerStatuses:
{{ range .spec.containers }}
- {name: {{ .name | Quote }}, image: {{ .image | Quote }}, imageID: "", ready: true, started: true, restartCount: 0, state: {running: {startedAt: {{ $now | Quote }}}}}
{{ end }}
{{ with NodeIPsWith .spec.nodeName }}
hostIP: {{ index . 0 | Quote }}
hostIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
{{ with PodIPsWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) }}
podIP: {{ index . 0 | Quote }}
podIPs:
{{ range . }}
- ip: {{ . | Quote }}
{{ end }}
{{ end }}
phase: Running
startTime: {{ $now | Quote }}
`;

/** The kwok configuration file (a YAML stream of Stage objects). */
export function kwokStagesYaml(): string {
  const stages = [
    stage('observatory-node-ready', 'Node', [notReady], { statusTemplate: NODE_STATUS }),
    stage('observatory-pod-running', 'Pod', [notDeleted, { key: '.status.phase', operator: 'In', values: ['Pending'] }, notReady], { statusTemplate: POD_STATUS }),
    stage('observatory-pod-remove', 'Pod', [{ key: '.metadata.deletionTimestamp', operator: 'Exists' }], { delete: true }),
  ];
  return stages.map((s) => yaml.dump(s, { lineWidth: -1 })).join('---\n');
}
