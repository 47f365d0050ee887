/**
 * Every program the stack runs, pinned in this one place: its current stable upstream release,
 * the image a deployment pulls, and the Go module it is built from here (toolchain/build.ts).
 * Tests run these builds (promtool, amtool, the live stack, the bench), so what is tested is the
 * release that is deployed. The catalog's exporter metric names were checked against these
 * releases (test/fixtures/exporters/); bump an exporter together with the catalog.
 *
 * Stack config `images` may override a pin per environment (still pinned: no `latest`).
 * Every image has busybox `wget` (docker health checks) and runs as the numeric user in
 * stacks/recipes.ts IMAGE_USERS.
 */

/**
 * Which tests first need a program, so `npm test` can build the rest while the earlier tests run
 * (scripts/test.sh): `unit` before the unit tests (promtool, amtool, the exporters' flag checks),
 * `stack` before the live tests but one (the stack, budget and HA tests), `cluster` before the
 * Kubernetes e2e test.
 */
export type TestPhase = 'unit' | 'stack' | 'cluster';

/** A program built from its Go module at a pinned version. */
export interface UpstreamProgram {
  /** The first tests that run it (TestPhase). */
  readonly phase: TestPhase;
  /** The release as its project names it (what `--version` prints). */
  readonly release: string;
  /** Go module path. */
  readonly module: string;
  /** Module version of that release (Prometheus 3.x tags its module v0.3xx.y). */
  readonly moduleVersion: string;
  /** Package directories inside the module that build the commands, e.g. `cmd/promtool`; `.` for the module root. */
  readonly commands: readonly string[];
  /**
   * Go build tags. Prometheus keeps only the service discoveries the stack configures (static,
   * file, http, dns, kubernetes): the same code paths, without eleven cloud SDKs to compile.
   */
  readonly tags?: readonly string[];
  /** `-X` linker settings that stamp the release into `--version` and build-info metrics. */
  readonly versionVariables?: readonly string[];
  /**
   * Files the program embeds that its module does not ship (a web UI bundle made by a JavaScript
   * build); the toolchain puts a placeholder page there. The HTTP API is unaffected.
   */
  readonly placeholderAssets?: readonly string[];
  /**
   * The Go release the module needs when it is newer than the machine's own Go (its go.mod names
   * a later patch). The go command fetches that toolchain from the module proxy once, into the
   * cache, for this build only (GOTOOLCHAIN).
   */
  readonly goToolchain?: string;
  /**
   * Monorepos whose go.mod replaces sibling modules with local directories (Kubernetes'
   * `k8s.io/api => ./staging/src/k8s.io/api`, etcd's `go.etcd.io/etcd/api/v3 => ../api`): no module
   * download carries those directories, so each such replace of a module under `modulePrefix` is
   * pointed at the published `version` of the same release instead. Any other local replace
   * still fails the build.
   */
  readonly localReplaces?: { readonly modulePrefix: string; readonly version: string };
  /**
   * Binary names that differ from Go's default (the package path's last element without a
   * major-version suffix): command directory -> name. etcd's main package is its server module's
   * root (`go.etcd.io/etcd/server/v3`), which Go would name `server`.
   */
  readonly binaryNames?: Readonly<Record<string, string>>;
  /**
   * A `go generate` step the release build runs before compiling, for files the module embeds but
   * does not ship (the kubernetes provider's schema-embed.json, made from its schema.json with the
   * release version written in): the package directory and the environment it reads.
   */
  readonly generate?: { readonly directory: string; readonly env?: Readonly<Record<string, string>> };
}

const PROMETHEUS_COMMON_VERSION = 'github.com/prometheus/common/version';
const promVersion = (release: string) => [`${PROMETHEUS_COMMON_VERSION}.Version=${release}`, `${PROMETHEUS_COMMON_VERSION}.Branch=HEAD`];

export const UPSTREAM = {
  prometheus: {
    phase: 'unit',
    release: '3.16.0',
    module: 'github.com/prometheus/prometheus',
    moduleVersion: 'v0.316.0',
    commands: ['cmd/prometheus', 'cmd/promtool'],
    tags: ['remove_all_sd', 'enable_kubernetes_sd', 'enable_dns_sd'],
    versionVariables: promVersion('3.16.0'),
  },
  alertmanager: {
    phase: 'unit',
    release: '0.35.0',
    module: 'github.com/prometheus/alertmanager',
    moduleVersion: 'v0.35.0',
    commands: ['cmd/alertmanager', 'cmd/amtool'],
    versionVariables: promVersion('0.35.0'),
    placeholderAssets: ['ui/app/dist/elm/index.html', 'ui/app/dist/mantine/index.html'],
  },
  nodeExporter: {
    phase: 'unit',
    release: '1.12.1',
    module: 'github.com/prometheus/node_exporter',
    moduleVersion: 'v1.12.1',
    commands: ['.'],
    versionVariables: promVersion('1.12.1'),
  },
  // The newest exporter releases whose modules the Go proxy serves here (docs/toolchain.md).
  postgresExporter: {
    phase: 'unit',
    release: '0.19.1',
    module: 'github.com/prometheus-community/postgres_exporter',
    moduleVersion: 'v0.19.1',
    commands: ['cmd/postgres_exporter'],
    versionVariables: promVersion('0.19.1'),
  },
  redisExporter: {
    phase: 'unit',
    release: '1.88.0',
    module: 'github.com/oliver006/redis_exporter',
    moduleVersion: 'v1.88.0',
    commands: ['.'],
    versionVariables: ['main.BuildVersion=v1.88.0'],
  },
  jaeger: {
    phase: 'stack',
    // Jaeger v2 (built on the OpenTelemetry Collector); its Go module keeps the v1 tag line, and
    // module v1.76.0 is the v2.13.0 release. Built without the UI bundle (that needs the
    // jaeger-ui npm build): the query API Grafana and the tests use is the same.
    release: '2.13.0',
    module: 'github.com/jaegertracing/jaeger',
    moduleVersion: 'v1.76.0',
    commands: ['cmd/jaeger'],
    versionVariables: ['github.com/jaegertracing/jaeger/internal/version.latestVersion=v2.13.0'],
  },
  blackboxExporter: {
    phase: 'unit',
    // Uptime probes (HTTP health paths, TLS certificate expiry) from inside the stack.
    release: '0.28.0',
    module: 'github.com/prometheus/blackbox_exporter',
    moduleVersion: 'v0.28.0',
    commands: ['.'],
    versionVariables: promVersion('0.28.0'),
  },
  thanos: {
    phase: 'stack',
    // The long-term store and deduplicating query layer for HA Prometheus pairs (docs/deploying.md
    // says why Thanos rather than Mimir). Its go.mod names go 1.26.10, newer than the machine's.
    release: '0.42.5',
    module: 'github.com/thanos-io/thanos',
    moduleVersion: 'v0.42.5',
    commands: ['cmd/thanos'],
    // Thanos converts Prometheus label sets to its protobuf labels by unsafe casts that assume the
    // slice layout: its own release build (.promu.yml) sets slicelabels. Without it (Prometheus's
    // default is stringlabels) every Store API Info call panics in Marshal (index out of range in
    // grpc's buffer pool), so Query never sees Receive or Sidecar.
    tags: ['slicelabels'],
    versionVariables: promVersion('0.42.5'),
    goToolchain: 'go1.27.3',
  },
  // The local control plane the kubernetes stacks are deployed to in the tests
  // (live/kubernetes/): etcd, the API server, controller manager and scheduler of one release, and
  // kwok's fake nodes in place of kubelets. Nothing here is deployed by the stacks.
  etcd: {
    phase: 'cluster',
    // The server module's root package is etcd's main; its sibling modules (api, client, pkg)
    // are replaced by local directories in its go.mod and published at the same version.
    release: '3.7.3',
    module: 'go.etcd.io/etcd/server/v3',
    moduleVersion: 'v3.7.3',
    commands: ['.'],
    binaryNames: { '.': 'etcd' },
    localReplaces: { modulePrefix: 'go.etcd.io/etcd/', version: 'v3.7.3' },
  },
  kubernetes: {
    phase: 'cluster',
    // k8s.io/kubernetes replaces its staging modules (k8s.io/api, k8s.io/client-go, ...) with
    // ./staging/src/...; release 1.37.2 publishes them as v0.37.2.
    release: '1.37.2',
    module: 'k8s.io/kubernetes',
    moduleVersion: 'v1.37.2',
    commands: ['cmd/kube-apiserver', 'cmd/kube-controller-manager', 'cmd/kube-scheduler'],
    versionVariables: ['gitVersion=v1.37.2', 'gitMajor=1', 'gitMinor=37', 'gitTreeState=clean'].map((v) => `k8s.io/component-base/version.${v}`),
    localReplaces: { modulePrefix: 'k8s.io/', version: 'v0.37.2' },
  },
  kwok: {
    phase: 'cluster',
    // Fake nodes: kwok plays the kubelet's part (pods scheduled to its nodes become Running and
    // Ready) so Deployments, StatefulSets and DaemonSets roll out without a container runtime.
    release: '0.8.0',
    module: 'sigs.k8s.io/kwok',
    moduleVersion: 'v0.8.0',
    commands: ['cmd/kwok'],
  },
  // The Pulumi CLI and the kubernetes provider plugin, for the real `pulumi up` of the kubernetes
  // stacks against the local control plane (test/live/pulumiKubernetes.test.ts). The npm SDKs
  // (@pulumi/pulumi, @pulumi/kubernetes) are package.json's; these are the engine and plugin they
  // talk to. The Automation API runs the program inline (`--client`), so no nodejs language host
  // is needed (its module is not served here).
  pulumi: {
    phase: 'cluster',
    // pkg/v3 replaces the SDK module with ../sdk, published at the same version.
    release: '3.274.1',
    module: 'github.com/pulumi/pulumi/pkg/v3',
    moduleVersion: 'v3.274.1',
    commands: ['cmd/pulumi'],
    versionVariables: ['github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v3.274.1'],
    localReplaces: { modulePrefix: 'github.com/pulumi/pulumi/', version: 'v3.274.1' },
  },
  pulumiKubernetes: {
    phase: 'cluster',
    // The only build of the provider the module proxy serves here is this commit of January 2026,
    // after 4.24.0 (its go.mod requires sdk v4.24.0), not 4.34.2, the release @pulumi/kubernetes
    // asks for: every tagged provider version answers 403 (docs/toolchain.md). The Pulumi CLI runs
    // it from PATH (an "ambient" plugin) and warns that the versions differ. Its ../sdk replace
    // (the Go SDK, used only by the provider's yaml/v2 and helm/v4 components) is pointed at the
    // published sdk v4.24.0.
    release: '4.0.0-20260115033456-f47bc2d6f199',
    module: 'github.com/pulumi/pulumi-kubernetes/provider/v4',
    moduleVersion: 'v4.0.0-20260115033456-f47bc2d6f199',
    commands: ['cmd/pulumi-resource-kubernetes'],
    versionVariables: ['github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=4.0.0-20260115033456-f47bc2d6f199'],
    // Its Makefile's step: schema.json with the version written in, as the embedded schema-embed.json.
    generate: { directory: 'cmd/pulumi-resource-kubernetes', env: { VERSION: '4.0.0-20260115033456-f47bc2d6f199' } },
    localReplaces: { modulePrefix: 'github.com/pulumi/pulumi-kubernetes/', version: 'v4.24.0' },
  },
} as const satisfies Record<string, UpstreamProgram>;

export type UpstreamKey = keyof typeof UPSTREAM;

export const IMAGES = {
  prometheus: `prom/prometheus:v${UPSTREAM.prometheus.release}`,
  alertmanager: `prom/alertmanager:v${UPSTREAM.alertmanager.release}`,
  // Not built here: Grafana is AGPL-licensed and its module is not used in this project's builds,
  // so no test runs this image (docs/toolchain.md). 12.4 reads the dashboards' schemaVersion 42.
  grafana: 'grafana/grafana:12.4.0',
  jaeger: `jaegertracing/jaeger:${UPSTREAM.jaeger.release}`,
  postgresExporter: `quay.io/prometheuscommunity/postgres-exporter:v${UPSTREAM.postgresExporter.release}`,
  // The -alpine build of the same release: the default one is FROM scratch, with no wget for
  // the docker health check.
  redisExporter: `oliver006/redis_exporter:v${UPSTREAM.redisExporter.release}-alpine`,
  nodeExporter: `prom/node-exporter:v${UPSTREAM.nodeExporter.release}`,
  // Receive and Query (longTermStorage kind thanos) run this one image with different commands.
  thanos: `quay.io/thanos/thanos:v${UPSTREAM.thanos.release}`,
  blackboxExporter: `prom/blackbox-exporter:v${UPSTREAM.blackboxExporter.release}`,
} as const;

export type ImageKey = keyof typeof IMAGES;
