/**
 * The toolchain's handling of upstream go.mod files that a plain wrapper module cannot carry:
 * monorepo replaces of sibling modules by local directories (Kubernetes, etcd) and binary names
 * other than Go's default. The go.mod excerpts are the shapes of k8s.io/kubernetes v1.37.2 and
 * go.etcd.io/etcd/server/v3 v3.7.3.
 */
import { describe, expect, it } from 'vitest';
import { UPSTREAM, type UpstreamProgram } from '../stacks/versions';
import { goModWithReplaces, publishedReplaces, replaceDirectives, stampOf } from '../toolchain/build';
import { COMMANDS, commandName } from '../toolchain/paths';

const K8S_GO_MOD = `module k8s.io/kubernetes

go 1.26.0

require (
\tk8s.io/api v0.0.0
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go // the client
)
`;

const ETCD_GO_MOD = `module go.etcd.io/etcd/server/v3

replace (
\tgo.etcd.io/etcd/api/v3 => ../api
\tgo.etcd.io/etcd/client/pkg/v3 => ../client/pkg
\tgo.etcd.io/etcd/client/v3 => ../client/v3
)

replace github.com/example/fork => github.com/example/fork v1.2.3
`;

describe('toolchain: local replace directives of monorepo modules', () => {
  it('reads block and single-line replaces without comments', () => {
    expect(replaceDirectives(K8S_GO_MOD)).toEqual(['k8s.io/api => ./staging/src/k8s.io/api', 'k8s.io/client-go => ./staging/src/k8s.io/client-go']);
    expect(replaceDirectives(ETCD_GO_MOD)).toHaveLength(4);
  });

  it("points Kubernetes' staging modules at their published v0 release", () => {
    expect(publishedReplaces(replaceDirectives(K8S_GO_MOD), UPSTREAM.kubernetes, 'kubernetes 1.37.2')).toEqual([
      'k8s.io/api => k8s.io/api v0.37.2',
      'k8s.io/client-go => k8s.io/client-go v0.37.2',
    ]);
  });

  it("points etcd's sibling modules at the same release and keeps published replaces as they are", () => {
    expect(publishedReplaces(replaceDirectives(ETCD_GO_MOD), UPSTREAM.etcd, 'etcd 3.7.3')).toEqual([
      'go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 v3.7.3',
      'go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 v3.7.3',
      'go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 v3.7.3',
      'github.com/example/fork => github.com/example/fork v1.2.3',
    ]);
  });

  it('refuses a local replace in a program without localReplaces, naming the directive', () => {
    expect(() => publishedReplaces(['k8s.io/api => ./staging/src/k8s.io/api'], UPSTREAM.prometheus, 'prometheus 3.16.0')).toThrow(
      'prometheus 3.16.0: its go.mod replaces a module with a local directory (k8s.io/api => ./staging/src/k8s.io/api); map it to a published module version in stacks/versions.ts (localReplaces)',
    );
  });

  it('refuses a local replace outside the module prefix or of a directory that is not the module', () => {
    const k8s: UpstreamProgram = UPSTREAM.kubernetes;
    expect(() => publishedReplaces(['github.com/foo/bar => ./third_party/bar'], k8s, 'kubernetes 1.37.2')).toThrow(/replaces github.com\/foo\/bar with the local directory \.\/third_party\/bar, which is not a sibling module under k8s.io\//);
    expect(() => publishedReplaces(['k8s.io/api => ./third_party/forked-api'], k8s, 'kubernetes 1.37.2')).toThrow(/k8s.io\/api with the local directory \.\/third_party\/forked-api/);
    expect(() => publishedReplaces(['k8s.io/api => /home/me/api'], k8s, 'kubernetes 1.37.2')).toThrow(/local directory \/home\/me\/api/);
  });
});

describe('toolchain: the Pulumi CLI and the kubernetes provider', () => {
  it("map their SDK's ../sdk replace to the published SDK module", () => {
    expect(publishedReplaces(['github.com/pulumi/pulumi/sdk/v3 => ../sdk'], UPSTREAM.pulumi, 'pulumi 3.274.1')).toEqual(['github.com/pulumi/pulumi/sdk/v3 => github.com/pulumi/pulumi/sdk/v3 v3.274.1']);
    expect(publishedReplaces(['github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk'], UPSTREAM.pulumiKubernetes, 'provider')).toEqual(['github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.24.0']);
  });

  it("rewrites a module copy's go.mod for go generate: its replaces swapped for the published ones, the rest kept", () => {
    const goMod = ['module github.com/pulumi/pulumi-kubernetes/provider/v4', '', 'go 1.24.7', '', 'replace github.com/pulumi/pulumi-kubernetes/sdk/v4 => ../sdk', '', 'require (', '\tgithub.com/pulumi/pulumi/pkg/v3 v3.215.0', ')', 'replace (', '\tgithub.com/a/b => github.com/c/b v1.0.0', ')', ''].join('\n');
    const out = goModWithReplaces(goMod, ['github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.24.0', 'github.com/a/b => github.com/c/b v1.0.0']);
    expect(replaceDirectives(out)).toEqual(['github.com/pulumi/pulumi-kubernetes/sdk/v4 => github.com/pulumi/pulumi-kubernetes/sdk/v4 v4.24.0', 'github.com/a/b => github.com/c/b v1.0.0']);
    expect(out).toContain('require (\n\tgithub.com/pulumi/pulumi/pkg/v3 v3.215.0\n)');
    expect(out).not.toContain('../sdk');
  });

  it("the provider's stamp carries its generate step (a change rebuilds); programs without one keep theirs", () => {
    expect(JSON.parse(stampOf(UPSTREAM.pulumiKubernetes, 'go1.26.8')).generate).toEqual({ directory: 'cmd/pulumi-resource-kubernetes', env: { VERSION: '4.0.0-20260115033456-f47bc2d6f199' } });
    expect(JSON.parse(stampOf(UPSTREAM.kubernetes, 'go1.26.8')).generate).toBeUndefined();
  });
});

describe('toolchain: binary names', () => {
  it("names etcd's root package etcd, and the rest as go build does", () => {
    expect(commandName('etcd', '.')).toBe('etcd');
    expect(commandName('kubernetes', 'cmd/kube-apiserver')).toBe('kube-apiserver');
    expect(commandName('nodeExporter', '.')).toBe('node_exporter');
    expect(commandName('kwok', 'cmd/kwok')).toBe('kwok');
  });

  it('every control-plane command is a toolchain command', () => {
    for (const c of ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok']) expect(COMMANDS[c], c).toBeDefined();
  });
});

describe('toolchain: build stamps', () => {
  it('a program that uses neither localReplaces nor binaryNames keeps the stamp it was built with (no rebuild)', () => {
    expect(Object.keys(JSON.parse(stampOf(UPSTREAM.prometheus, 'go1.26.8')))).toEqual(['module', 'moduleVersion', 'commands', 'tags', 'versionVariables', 'placeholderAssets', 'go']);
  });

  it("the control plane's stamps carry the replace mapping and the binary name (a change rebuilds)", () => {
    expect(JSON.parse(stampOf(UPSTREAM.kubernetes, 'go1.26.8')).localReplaces).toEqual({ modulePrefix: 'k8s.io/', version: 'v0.37.2' });
    expect(JSON.parse(stampOf(UPSTREAM.etcd, 'go1.26.8')).binaryNames).toEqual({ '.': 'etcd' });
  });
});
