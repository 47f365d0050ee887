/**
 * The bad stack-config corpus (issue 12). Each case is a stack file's `config:` mapping, as a user
 * would write it in Pulumi.<stack>.yaml; test/badInput.test.ts feeds it to `npm run render` and
 * test/pulumi.badInput.test.ts to the Pulumi program under mocks. Both must refuse it with the same
 * one-line message, naming the key and the problem.
 */

export type ConfigMapping = Record<string, unknown>;

const SECURE = { secure: 'v1:AAAAAAAAAAAAAAAA:ciphertext' };

export const APP = { name: 'shop-api', image: 'ghcr.io/observatory-demo/shop-api:1.4.2', port: 8080, replicas: { min: 2, max: 4 } };

/** A valid dev stack on docker with the secrets it needs. */
export function dockerBase(): ConfigMapping {
  return {
    'observatory:target': 'docker',
    'observatory:apps': [{ ...APP }],
    'observatory:exporters': { redis: { address: 'redis:6379' } },
    'observatory:grafanaAdminPassword': SECURE,
    'observatory:postgresDsn': SECURE,
  };
}

/** A valid kubernetes stack with the secrets it needs; prod, so its runbooks are not the demo's. */
export function kubernetesBase(): ConfigMapping {
  return { ...dockerBase(), 'observatory:target': 'kubernetes', 'observatory:environment': 'prod', 'observatory:alerts': { runbookBaseUrl: 'https://runbooks.corp.internal/observatory' } };
}

/** kubernetesBase() for staging, where documentation hosts are allowed. */
function stagingBase(): ConfigMapping {
  return { ...kubernetesBase(), 'observatory:environment': 'staging' };
}

const EMAIL = { to: 'sre@corp.internal', from: 'am@corp.internal', smarthost: 'smtp.corp.internal:587', username: 'am@corp.internal' };

export interface ConfigCase {
  readonly name: string;
  /** Stack name (the file is Pulumi.<stack>.yaml). Default: dev */
  readonly stack?: string;
  readonly config: ConfigMapping;
  /** The whole message, after `render: error: ` on the render side. */
  readonly message: string;
}

const withApp = (patch: Record<string, unknown>, base = dockerBase()): ConfigMapping => ({ ...base, 'observatory:apps': [{ ...APP, ...patch }] });
const set = (key: string, value: unknown, base = dockerBase()): ConfigMapping => ({ ...base, [`observatory:${key}`]: value });
const without = (key: string, base = dockerBase()): ConfigMapping => Object.fromEntries(Object.entries(base).filter(([k]) => k !== `observatory:${key}`));
/** The e-mail receiver with the SMTP password it needs (so the program and render stop at the same key). */
const withEmail = (email: Record<string, string>, base: ConfigMapping): ConfigMapping => ({ ...base, 'observatory:receivers': { email }, 'observatory:smtpPassword': SECURE });

export const CONFIG_CASES: readonly ConfigCase[] = [
  // --- once checked only inside the Pulumi program (render and CI went green)
  { name: 'app named like a monitoring service (grafana)', config: withApp({ name: 'grafana' }), message: "stack dev: observatory:apps[0].name: \"grafana\" is the name of a monitoring service; pick another name" },
  { name: 'app named like a monitoring service (prometheus)', config: withApp({ name: 'prometheus' }), message: "stack dev: observatory:apps[0].name: \"prometheus\" is the name of a monitoring service; pick another name" },
  { name: 'app taking the redis exporter service label', config: withApp({ name: 'redis' }), message: "stack dev: observatory:apps[0].name: \"redis\" is the service label of the Redis exporter metrics; an app named so would mask their alerts; pick another name" },
  { name: 'app taking the postgres exporter service label', config: withApp({ name: 'postgres' }), message: "stack dev: observatory:apps[0].name: \"postgres\" is the service label of the PostgreSQL exporter metrics; an app named so would mask their alerts; pick another name" },
  { name: 'app taking the node exporter service label', config: withApp({ name: 'node' }), message: "stack dev: observatory:apps[0].name: \"node\" is the service label of the node exporter metrics; an app named so would mask their alerts; pick another name" },
  { name: 'docker: two services on one host port', config: set('docker', { ports: { grafana: 9090 } }), message: "stack dev: observatory:docker.ports.prometheus: (9090) is also used by docker.ports.grafana" },
  { name: 'docker: a replica alias taken by another app', config: set('apps', [{ ...APP, name: 'api' }, { ...APP, name: 'api-0' }]), message: "stack dev: observatory:apps[1].name: docker network alias \"api-0\" is also used by apps[0]" },
  { name: 'docker: memory below Docker\'s minimum', config: withApp({ resources: { requests: { memory: '4Mi' }, limits: { memory: '4Mi' } } }), message: "stack dev: observatory:apps[0].resources.limits.memory: \"4Mi\" is below Docker's minimum memory limit of 6Mi" },
  // --- accepted, then broken at deploy time
  { name: 'cpu request above the limit', config: withApp({ resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } }), message: "stack dev: observatory:apps[0].resources.requests.cpu: (2) must be <= limits.cpu (500m)" },
  { name: 'memory request above the limit', config: withApp({ resources: { requests: { memory: '1Gi' } } }), message: "stack dev: observatory:apps[0].resources.requests.memory: (1Gi) must be <= limits.memory (256Mi)" },
  { name: 'cpu limit of zero', config: withApp({ resources: { requests: { cpu: '0' }, limits: { cpu: '0' } } }), message: "stack dev: observatory:apps[0].resources.limits.cpu: (0) must be more than zero" },
  { name: 'image reference with a space', config: withApp({ image: 'ghcr.io/observatory-demo/shop api:1.4.2' }), message: "stack dev: observatory:apps[0].image: is not a valid image reference: \"ghcr.io/observatory-demo/shop api:1.4.2\" contains white space; an image reference is repo/name:tag" },
  { name: 'image with an upper-case repository', config: withApp({ image: 'ghcr.io/Observatory/shop-api:1.4.2' }), message: "stack dev: observatory:apps[0].image: is not a valid image reference: \"ghcr.io/Observatory/shop-api:1.4.2\": repository names must be lower case (\"Observatory\")" },
  { name: 'image registry port above 65535', config: withApp({ image: 'registry.example.com:99999/shop-api:1.4.2' }), message: "stack dev: observatory:apps[0].image: is not a valid image reference: \"registry.example.com:99999/shop-api:1.4.2\": registry port 99999 is above 65535" },
  { name: 'image override with latest', config: set('images', { grafana: 'grafana/grafana:latest' }), message: "stack dev: observatory:images.grafana: must not use the \"latest\" tag; pin a version" },
  { name: 'retention.size above the Prometheus volume', stack: 'prod', config: set('retention', { size: '200GB' }, kubernetesBase()), message: "stack prod: observatory:retention.size: (200GB) must be at most 85% of storage.prometheus (100Gi); a compaction writes its new block before deleting the old ones and needs the rest (Prometheus sizes are base 2: 1GB = 1Gi; leave retention.size unset for 80%)" },
  { name: 'retention.size at 90% of the volume (the old default)', stack: 'prod', config: set('retention', { size: '90GB' }, kubernetesBase()), message: "stack prod: observatory:retention.size: (90GB) must be at most 85% of storage.prometheus (100Gi); a compaction writes its new block before deleting the old ones and needs the rest (Prometheus sizes are base 2: 1GB = 1Gi; leave retention.size unset for 80%)" },
  { name: 'LoadBalancer for Grafana with an https rootUrl', stack: 'prod', config: { ...set('serviceTypes', { grafana: 'LoadBalancer' }, kubernetesBase()), 'observatory:grafana': { rootUrl: 'https://grafana.corp.internal' } }, message: "stack prod: observatory:serviceTypes.grafana: (LoadBalancer) serves Grafana over plain HTTP on port 3000, but grafana.rootUrl (https://grafana.corp.internal) is https: Grafana then sets a Secure login cookie that browsers never send over HTTP, so nobody can log in; keep ClusterIP and set grafana.ingress (host, tlsSecretName) for TLS, or set grafana.rootUrl to the http:// address" },
  { name: 'Grafana rootUrl on another host than its Ingress', stack: 'prod', config: set('grafana', { rootUrl: 'https://dashboards.corp.internal', ingress: { host: 'grafana.corp.internal', tlsSecretName: 'grafana-tls' } }, kubernetesBase()), message: "stack prod: observatory:grafana.rootUrl: (https://dashboards.corp.internal) must be on grafana.ingress.host (grafana.corp.internal): Grafana builds its links and redirects from it; leave rootUrl unset to derive it" },
  { name: 'Grafana http rootUrl behind a TLS Ingress', stack: 'prod', config: set('grafana', { rootUrl: 'http://grafana.corp.internal', ingress: { host: 'grafana.corp.internal', tlsSecretName: 'grafana-tls' } }, kubernetesBase()), message: "stack prod: observatory:grafana.rootUrl: (http://grafana.corp.internal) is http:// but grafana.ingress.tlsSecretName makes the Ingress serve https://grafana.corp.internal; write https:// (or leave rootUrl unset)" },
  { name: 'Grafana Ingress on docker', config: set('grafana', { ingress: { host: 'grafana.corp.internal' } }), message: "stack dev: observatory:grafana.ingress: is for kubernetes stacks; on docker Grafana is published on docker.bindAddress, port docker.ports.grafana (3000)" },
  { name: 'Grafana Ingress host not a DNS name', stack: 'prod', config: set('grafana', { ingress: { host: 'https://grafana.corp.internal' } }, kubernetesBase()), message: "stack prod: observatory:grafana.ingress.host: must be a lower-case DNS name such as grafana.corp.internal" },
  { name: 'watchNamespaces on docker', config: set('watchNamespaces', ['shop']), message: "stack dev: observatory:watchNamespaces: is for kubernetes stacks; on docker Prometheus scrapes the apps of the stack config only" },
  { name: 'watchNamespaces naming the stack namespace', stack: 'prod', config: set('watchNamespaces', ['shop', 'observatory'], kubernetesBase()), message: "stack prod: observatory:watchNamespaces[1]: \"observatory\" is the stack's own namespace, which is always watched; remove it" },
  { name: 'watchNamespaces listing one twice', stack: 'prod', config: set('watchNamespaces', ['shop', 'shop'], kubernetesBase()), message: "stack prod: observatory:watchNamespaces[1]: \"shop\" is listed twice" },
  { name: 'node exporter port above 65535', stack: 'prod', config: set('exporters', { node: { port: 91000 } }, kubernetesBase()), message: "stack prod: observatory:exporters.node.port: must be <= 65535 (got 91000)" },
  { name: 'node exporter namespace is the stack namespace', stack: 'prod', config: set('exporters', { node: { namespace: 'observatory' } }, kubernetesBase()), message: "stack prod: observatory:exporters.node.namespace: \"observatory\" is the stack's own namespace, which enforces Pod Security \"restricted\" and cannot run node_exporter (host network, PID and paths); name another namespace or leave it unset for \"observatory-node-exporter\"" },
  { name: 'node exporter namespace not a DNS label', stack: 'prod', config: set('exporters', { node: { namespace: 'Node_Exporter' } }, kubernetesBase()), message: "stack prod: observatory:exporters.node.namespace: must be a DNS label: lower-case letters, digits and \"-\", starting with a letter, at most 40 characters" },
  { name: 'node exporter namespace on docker', config: set('exporters', { node: { namespace: 'host-agents' } }), message: "stack dev: observatory:exporters.node.namespace: is for kubernetes stacks; on docker node_exporter is a container of the stack" },
  { name: 'watchNamespaces naming the node exporter namespace', stack: 'prod', config: set('watchNamespaces', ['shop', 'observatory-node-exporter'], kubernetesBase()), message: "stack prod: observatory:watchNamespaces[1]: \"observatory-node-exporter\" is the node exporter's namespace (exporters.node.namespace, default <namespace>-node-exporter), which the stack creates with Pod Security \"privileged\" for node_exporter alone; watch another namespace or set exporters.node.namespace" },
  // --- documentation placeholders in a prod environment
  { name: 'prod: the demo runbook base URL (the default)', stack: 'prod', config: without('alerts', kubernetesBase()), message: "stack prod: observatory:alerts.runbookBaseUrl: (https://github.com/observatory-demo/observatory/blob/main/generated/prod/runbooks) is the demo repository's runbooks, the default when the key is not set; a prod environment must link where you publish generated/prod/runbooks: set observatory:alerts.runbookBaseUrl" },
  { name: 'prod: runbooks on an example host', stack: 'prod', config: set('alerts', { runbookBaseUrl: 'https://runbooks.example.org/prod' }, kubernetesBase()), message: "stack prod: observatory:alerts.runbookBaseUrl: (https://runbooks.example.org/prod) is on example.org, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to where you publish generated/prod/runbooks" },
  { name: 'prod: Grafana at grafana.example.com', stack: 'prod', config: set('grafana', { rootUrl: 'https://grafana.example.com' }, kubernetesBase()), message: "stack prod: observatory:grafana.rootUrl: (https://grafana.example.com) is on example.com, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to the URL people open Grafana at" },
  { name: 'prod: a Grafana Ingress on an example host', stack: 'prod', config: set('grafana', { ingress: { host: 'grafana.example.net', tlsSecretName: 'grafana-tls' } }, kubernetesBase()), message: "stack prod: observatory:grafana.ingress.host: (grafana.example.net) is on example.net, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to the host name people open Grafana at" },
  { name: 'prod: the SMTP relay smtp.example.com', stack: 'prod', config: withEmail({ ...EMAIL, smarthost: 'smtp.example.com:587' }, kubernetesBase()), message: "stack prod: observatory:receivers.email.smarthost: (smtp.example.com:587) is on example.com, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to your SMTP relay (host:port)" },
  { name: 'prod: an e-mail recipient at example.com', stack: 'prod', config: withEmail({ ...EMAIL, to: 'sre@example.com' }, kubernetesBase()), message: "stack prod: observatory:receivers.email.to: (sre@example.com) is on example.com, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to the mailbox info alerts go to" },
  { name: 'prod: Redis on an example host', stack: 'prod', config: set('exporters', { redis: { address: 'cache.example.com:6379' } }, kubernetesBase()), message: "stack prod: observatory:exporters.redis.address: (cache.example.com:6379) is on example.com, a documentation placeholder that reaches nobody; a prod environment must name real hosts: set it to the host:port of your Redis" },
  { name: 'retention.time of 0s', config: set('retention', { time: '0s' }), message: "stack dev: observatory:retention.time: (0s) must be longer than zero; Prometheus would keep no data" },
  { name: 'latencyP99Warning below latencyP95Warning', config: set('alerts', { thresholds: { latencyP99Warning: 0.1 } }), message: "stack dev: observatory:alerts.thresholds.latencyP99Warning: (0.1) must be >= latencyP95Warning (0.2); the 99th percentile is never below the 95th" },
  { name: 'redis address port above 65535', config: set('exporters', { redis: { address: 'redis:70000' } }), message: "stack dev: observatory:exporters.redis.address: port 70000 must be between 1 and 65535" },
  { name: 'smarthost port above 65535', config: set('receivers', { email: { to: 'sre@example.com', from: 'am@example.com', smarthost: 'smtp.example.com:99999', username: 'am' } }), message: "stack dev: observatory:receivers.email.smarthost: port 99999 must be between 1 and 65535" },
  { name: 'rootUrl with javascript:', config: set('grafana', { rootUrl: 'javascript:alert(1)' }), message: "stack dev: observatory:grafana.rootUrl: must be an http(s) URL such as https://grafana.example.com" },
  { name: 'rootUrl with ftp:', config: set('grafana', { rootUrl: 'ftp://grafana.example.com' }), message: "stack dev: observatory:grafana.rootUrl: must be an http(s) URL such as https://grafana.example.com" },
  { name: 'minAvailable equal to replicas.min', config: withApp({ minAvailable: 2 }), message: "stack dev: observatory:apps[0].minAvailable: (2) must be below replicas.min (2) or no pod could be evicted while the app runs at its minimum" },
  { name: 'new stack file without environment', stack: 'feature-x', config: dockerBase(), message: "stack feature-x: observatory:environment: is required: stack \"feature-x\" is not named dev, staging or prod, so its retention, storage and resources cannot be guessed" },
  { name: 'misspelled namespace', config: { ...dockerBase(), 'observatroy:scrapeInterval': '30s' }, message: "stack dev: observatroy:scrapeInterval: unknown config namespace \"observatroy\": Observatory reads observatory:<key> (and leaves pulumi:, kubernetes:, docker: to Pulumi and its providers); check the spelling" },
  { name: 'password in apps.env', config: withApp({ env: { DB_PASSWORD: 'hunter2' } }), message: "stack dev: observatory:apps[0].env.DB_PASSWORD: looks like a credential; apps.env is plain text (stack file, container and pod spec); pass secrets through your platform's secret store" },
  { name: 'credentials in an apps.env URL', config: withApp({ env: { UPSTREAM: 'https://user:hunter2@api.example.com' } }), message: "stack dev: observatory:apps[0].env.UPSTREAM: looks like a credential; apps.env is plain text (stack file, container and pod spec); pass secrets through your platform's secret store" },
  { name: 'huge replicas.max', config: withApp({ replicas: { min: 2, max: 1e9 } }), message: "stack dev: observatory:apps[0].replicas.max: must be <= 1000 (got 1000000000)" },
  // --- domain hints instead of zod's wording
  { name: 'objective as a percentage', config: set('slo', { availabilityObjective: 99.9 }), message: "stack dev: observatory:slo.availabilityObjective: (99.9) is a ratio: write 0.999 for 99.9%" },
  { name: 'duration without a unit (number)', config: set('scrapeInterval', 15), message: "stack dev: observatory:scrapeInterval: (15) needs a unit: write 15s" },
  { name: 'duration without a unit (string)', config: set('scrapeInterval', '15'), message: "stack dev: observatory:scrapeInterval: (15) needs a unit: write 15s" },
  // --- schema and cross-key checks
  { name: 'unknown target', config: set('target', 'nomad'), message: "stack dev: observatory:target: must be one of \"docker\", \"kubernetes\" (got \"nomad\")" },
  { name: 'missing target', config: without('target'), message: "stack dev: observatory:target: is required" },
  { name: 'unknown top-level key', config: set('scrapeIntervall', '15s'), message: "stack dev: observatory:scrapeIntervall: unknown key (check the spelling; see stacks/config/schema.ts)" },
  { name: 'unknown app key', config: withApp({ replica: 3 }), message: "stack dev: observatory:apps[0].replica: unknown key (check the spelling; see stacks/config/schema.ts)" },
  { name: 'apps not a list', config: set('apps', 'shop-api'), message: "stack dev: observatory:apps: must be a list (got \"shop-api\")" },
  { name: 'duplicate app names', config: set('apps', [{ ...APP }, { ...APP }]), message: "stack dev: observatory:apps[1].name: \"shop-api\" is used by two apps" },
  { name: 'min replicas above max', config: withApp({ replicas: { min: 5, max: 2 } }), message: "stack dev: observatory:apps[0].replicas: min (5) must be <= max (2)" },
  { name: 'zero min replicas', config: withApp({ replicas: { min: 0, max: 2 } }), message: "stack dev: observatory:apps[0].replicas.min: must be >= 1 (got 0)" },
  { name: 'app port 0', config: withApp({ port: 0 }), message: "stack dev: observatory:apps[0].port: must be >= 1 (got 0)" },
  { name: 'app port above 65535', config: withApp({ port: 70000 }), message: "stack dev: observatory:apps[0].port: must be <= 65535 (got 70000)" },
  { name: 'cpuTarget above 100', config: withApp({ cpuTarget: 150 }), message: "stack dev: observatory:apps[0].cpuTarget: must be <= 100 (got 150)" },
  { name: 'memoryTarget 0', config: withApp({ memoryTarget: 0 }), message: "stack dev: observatory:apps[0].memoryTarget: must be >= 1 (got 0)" },
  { name: 'runAsUser root', config: withApp({ runAsUser: 0 }), message: "stack dev: observatory:apps[0].runAsUser: must be >= 1 (got 0)" },
  { name: 'image without a tag', config: withApp({ image: 'ghcr.io/observatory-demo/shop-api' }), message: "stack dev: observatory:apps[0].image: must be pinned with a tag or digest (e.g. repo/app:1.4.2)" },
  { name: 'image with latest', config: withApp({ image: 'ghcr.io/observatory-demo/shop-api:latest' }), message: "stack dev: observatory:apps[0].image: must not use the \"latest\" tag; pin a version" },
  { name: 'app name not a DNS label', config: withApp({ name: 'Shop_API' }), message: "stack dev: observatory:apps[0].name: must be a DNS label: lower-case letters, digits and \"-\", starting with a letter, at most 40 characters" },
  { name: 'healthPath without a leading slash', config: withApp({ healthPath: 'healthz' }), message: "stack dev: observatory:apps[0].healthPath: must start with \"/\" (got \"healthz\")" },
  { name: 'OTLP endpoint set by hand', config: withApp({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x' } }), message: "stack dev: observatory:apps[0].env.OTEL_EXPORTER_OTLP_ENDPOINT: is set by the stack (OTLP over HTTP to its Jaeger); remove it" },
  { name: 'resources not a quantity', config: withApp({ resources: { limits: { memory: '512 megs' } } }), message: "stack dev: observatory:apps[0].resources.limits.memory: must be a Kubernetes quantity such as 250m, 128Mi or 1Gi" },
  { name: 'retention.size not a byte size', config: set('retention', { size: '10G' }), message: "stack dev: observatory:retention.size: must be a Prometheus byte size such as 512MB or 10GB" },
  { name: 'storage not a quantity', stack: 'prod', config: set('storage', { prometheus: '100 GB' }, kubernetesBase()), message: "stack prod: observatory:storage.prometheus: must be a Kubernetes quantity such as 250m, 128Mi or 1Gi" },
  { name: 'evaluation faster than scrape', config: { ...dockerBase(), 'observatory:scrapeInterval': '30s', 'observatory:evaluationInterval': '15s' }, message: "stack dev: observatory:evaluationInterval: (15s) must be >= scrapeInterval (30s); rules cannot see samples faster than they are scraped" },
  { name: 'scrape interval below 5s', config: { ...dockerBase(), 'observatory:scrapeInterval': '1s', 'observatory:evaluationInterval': '1s' }, message: "stack dev: observatory:scrapeInterval: (1s) must be at least 5s" },
  { name: 'ratio threshold given as a percentage', config: set('alerts', { thresholds: { errorRatioCritical: 5 } }), message: "stack dev: observatory:alerts.thresholds.errorRatioCritical: (5) is a ratio and must be <= 1 (write 0.05 for 5%)" },
  { name: 'warning threshold above critical', config: set('alerts', { thresholds: { latencyP95Warning: 0.6 } }), message: "stack dev: observatory:alerts.thresholds.latencyP95Warning: (0.6) must be below latencyP95Critical (0.5)" },
  { name: 'negative threshold', config: set('alerts', { thresholds: { hostCpuUsage: -1 } }), message: "stack dev: observatory:alerts.thresholds.hostCpuUsage: must be > 0 (got -1)" },
  { name: 'unknown threshold', config: set('alerts', { thresholds: { latencyP50: 1 } }), message: "stack dev: observatory:alerts.thresholds.latencyP50: unknown key (check the spelling; see stacks/config/schema.ts)" },
  { name: 'severity override for a lower-case name', config: set('alerts', { severities: { highLatency: 'critical' } }), message: "stack dev: observatory:alerts.severities.highLatency: must be an alert name in PascalCase" },
  { name: 'runbook base URL over ftp', config: set('alerts', { runbookBaseUrl: 'ftp://runbooks.example.com' }), message: "stack dev: observatory:alerts.runbookBaseUrl: must be an http(s) URL" },
  { name: 'SLO latency not a bucket bound', config: set('slo', { latencyThresholdSeconds: 0.4 }), message: "stack dev: observatory:slo.latencyThresholdSeconds: (0.4) must be a bucket bound of http_request_duration_seconds (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5, 10)" },
  { name: 'slack channel without #', config: set('receivers', { slack: { channel: 'alerts' } }), message: "stack dev: observatory:receivers.slack.channel: must be a channel like #alerts" },
  { name: 'e-mail receiver with a bad address', config: set('receivers', { email: { to: 'sre-at-example.com', from: 'am@example.com', smarthost: 'smtp.example.com:587', username: 'am' } }), message: "stack dev: observatory:receivers.email.to: must be an e-mail address (got \"sre-at-example.com\")" },
  { name: 'bind address not an IPv4', config: set('docker', { bindAddress: 'example.com' }), message: "stack dev: observatory:docker.bindAddress: must be an IPv4 address such as 127.0.0.1, or localhost (got \"example.com\")" },
  { name: 'cache hit-ratio target given as a percentage', config: set('alerts', { cacheTargets: { 'user-profiles': 85 } }), message: "stack dev: observatory:alerts.cacheTargets.user-profiles: (85) is a ratio: write 0.85 for 85%" },
  { name: 'uptime probe interval under a second', config: set('uptime', { interval: '500ms' }), message: "stack dev: observatory:uptime.interval: (500ms) must be at least 1s" },
  { name: 'uptime URL named like an exporter service label', config: set('uptime', { urls: [{ name: 'redis', url: 'https://shop.example.com/' }] }), message: "stack dev: observatory:uptime.urls[0].name: \"redis\" is the service label of the Redis exporter metrics; pick another name" },
  { name: 'namespace not a DNS label', stack: 'prod', config: set('namespace', 'Observatory', kubernetesBase()), message: "stack prod: observatory:namespace: must be a DNS label: lower-case letters, digits and \"-\", starting with a letter, at most 40 characters" },
  // --- scale-out keys (issue 16)
  { name: 'prometheus replicas beyond the bound', config: set('prometheus', { replicas: 9 }), message: "stack dev: observatory:prometheus.replicas: must be <= 5 (got 9)" },
  { name: 'replica label that is already a stack label', config: set('prometheus', { replicas: 2, replicaLabel: 'stack' }), message: "stack dev: observatory:prometheus.replicaLabel: (\"stack\") is already an external label of every series (environment, stack); replicas would not be told apart" },
  { name: 'alertmanager replicas zero', config: set('alertmanager', { replicas: 0 }), message: "stack dev: observatory:alertmanager.replicas: must be >= 1 (got 0)" },
  { name: 'mimir without its query URL', config: set('longTermStorage', { kind: 'mimir', remoteWriteUrl: 'http://mimir.example.com/api/v1/push' }), message: "stack dev: observatory:longTermStorage.queryUrl: is required for kind mimir (the stack does not run Mimir; point it at yours)" },
  { name: 'thanos with a foreign URL', config: set('longTermStorage', { kind: 'thanos', queryUrl: 'http://thanos.example.com' }), message: "stack dev: observatory:longTermStorage.queryUrl: is only for kind mimir; with kind thanos the stack runs Thanos Receive and Query itself" },
  { name: 'unknown engine', config: set('longTermStorage', { kind: 'cortex' }), message: "stack dev: observatory:longTermStorage.kind: must be one of \"thanos\", \"mimir\" (got \"cortex\")" },
  { name: 'remote-write URL not http', config: set('remoteWrite', [{ name: 'vendor', url: 'ftp://metrics.example.com/push' }]), message: "stack dev: observatory:remoteWrite[0].url: must be an http(s) URL" },
  { name: 'remote-write queue min above max', config: set('remoteWrite', [{ name: 'vendor', url: 'https://metrics.example.com/push', queue: { minShards: 10, maxShards: 2 } }]), message: "stack dev: observatory:remoteWrite[0].queue.minShards: (10) must be <= maxShards (2)" },
  { name: 'remote-write basic auth without a username', config: set('remoteWrite', [{ name: 'vendor', url: 'https://metrics.example.com/push', auth: { type: 'basic' } }]), message: "stack dev: observatory:remoteWrite[0].auth.username: is required for basic auth (the password is the remoteWritePassword secret)" },
  { name: 'remote-write target named like the engine', config: { ...set('longTermStorage', { kind: 'thanos' }), 'observatory:remoteWrite': [{ name: 'thanos', url: 'https://metrics.example.com/push' }] }, message: "stack dev: observatory:remoteWrite[0].name: \"thanos\" is also the name of the thanos write of longTermStorage; remote_name must tell the queues apart" },
  { name: 'remote-write bearer token in plain text', config: { ...set('remoteWrite', [{ name: 'vendor', url: 'https://metrics.example.com/push', auth: { type: 'bearer' } }]), 'observatory:remoteWriteBearerToken': 'tok' }, message: "stack dev: observatory:remoteWriteBearerToken: is stored in plain text; set it with `pulumi config set --secret observatory:remoteWriteBearerToken <value>`" },
  // --- secrets, as far as render can see them
  { name: 'secret stored in plain text', config: set('grafanaAdminPassword', 'hunter2'), message: "stack dev: observatory:grafanaAdminPassword: is stored in plain text; set it with `pulumi config set --secret observatory:grafanaAdminPassword <value>`" },
  { name: 'a plain setting stored as a secret', config: set('namespace', SECURE), message: "stack dev: observatory:namespace: is not a secret setting; set it without --secret" },
];

/** Accepted by both entry points: values that once parsed differently in each. */
export const ACCEPTED_CASES: readonly { readonly name: string; readonly stack?: string; readonly config: ConfigMapping }[] = [
  { name: 'namespace "true" is a string, not a boolean', stack: 'prod', config: set('namespace', 'true', kubernetesBase()) },
  { name: 'namespace "123" is a string, not a number', stack: 'prod', config: set('namespace', 'a123', kubernetesBase()) },
  { name: 'provider settings in their own namespace', config: { ...dockerBase(), 'docker:host': 'unix:///var/run/docker.sock' } },
  { name: 'minAvailable defaults below a single replica', stack: 'prod', config: withApp({ replicas: { min: 1, max: 3 } }, kubernetesBase()) },
  { name: 'staging may keep documentation hosts and the demo runbooks', stack: 'staging', config: { ...withEmail({ ...EMAIL, smarthost: 'smtp.example.com:587' }, without('alerts', stagingBase())), 'observatory:grafana': { rootUrl: 'https://grafana.staging.example.com' } } },
  { name: 'LoadBalancer for Grafana with an http rootUrl', stack: 'prod', config: { ...set('serviceTypes', { grafana: 'LoadBalancer' }, kubernetesBase()), 'observatory:grafana': { rootUrl: 'http://grafana.corp.internal:3000' } } },
  { name: 'a TLS Ingress with the rootUrl it implies', stack: 'prod', config: set('grafana', { rootUrl: 'https://grafana.corp.internal/', ingress: { host: 'grafana.corp.internal', className: 'nginx', tlsSecretName: 'grafana-tls' } }, kubernetesBase()) },
  { name: 'watched namespaces and a moved node exporter', stack: 'prod', config: { ...set('watchNamespaces', ['shop', 'payments'], kubernetesBase()), 'observatory:exporters': { node: { port: 9110 } } } },
  { name: 'node exporter in a namespace of its own name', stack: 'prod', config: set('exporters', { node: { namespace: 'host-agents' } }, kubernetesBase()) },
  {
    name: 'an HA pair, three Alertmanagers, Thanos and a vendor target with a bearer token',
    stack: 'prod',
    config: {
      ...kubernetesBase(),
      'observatory:prometheus': { replicas: 2 },
      'observatory:alertmanager': { replicas: 3 },
      'observatory:longTermStorage': { kind: 'thanos', queue: { maxShards: 20 } },
      'observatory:remoteWrite': [{ name: 'vendor', url: 'https://metrics.example.com/push', auth: { type: 'bearer' } }],
      'observatory:remoteWriteBearerToken': SECURE,
    },
  },
];
