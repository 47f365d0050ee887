/**
 * Bad input stops the Pulumi program with one clear error before any resource is registered
 * (checked against the mock monitor after every case).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact } from '../generators/artifact';
import { renderStack } from '../render/renderStack';
import type { StackSecrets } from '../stacks/monitoringStack';
import type { SecretKey } from '../stacks/config/secrets';
import { ObservatoryError } from '../catalog/errors';
import { config as testConfig } from './helpers';
import { FAKE_SECRETS, settle, setConfig, setupMocks, type Registered } from './pulumiHarness';

const registered: Registered[] = setupMocks('prod');
let deploy: () => unknown;

beforeAll(async () => {
  ({ deploy } = await import('../stacks/program'));
});

const app = { name: 'api', image: 'registry.example.com/api:1.2.3', port: 8080 };
const kube = { target: 'kubernetes', apps: [app] };
const dockerBase = { target: 'docker', apps: [app] };
const needed: Partial<Record<SecretKey, string>> = { grafanaAdminPassword: FAKE_SECRETS.grafanaAdminPassword, postgresDsn: FAKE_SECRETS.postgresDsn };

function failure(raw: Record<string, unknown>, secrets: Partial<Record<SecretKey, string>> = needed): string {
  setConfig(raw, secrets);
  try {
    deploy();
  } catch (e) {
    if (e instanceof ObservatoryError) return e.message;
    throw e;
  }
  throw new Error('deploy() did not throw');
}

describe('bad stack config fails before any resource is registered', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['min replicas above max', { ...kube, apps: [{ ...app, replicas: { min: 5, max: 2 } }] }, 'stack prod: observatory:apps[0].replicas: min (5) must be <= max (2)'],
    ['an unknown target', { ...kube, target: 'nomad' }, 'stack prod: observatory:target: must be one of "docker", "kubernetes" (got "nomad")'],
    ['an app without an image tag', { ...kube, apps: [{ ...app, image: 'registry.example.com/api' }] }, 'stack prod: observatory:apps[0].image: must be pinned with a tag or digest (e.g. repo/app:1.4.2)'],
    ['a CPU target of 0', { ...kube, apps: [{ ...app, cpuTarget: 0 }] }, 'stack prod: observatory:apps[0].cpuTarget: must be >= 1 (got 0)'],
    ['a CPU target of 101', { ...kube, apps: [{ ...app, cpuTarget: 101 }] }, 'stack prod: observatory:apps[0].cpuTarget: must be <= 100 (got 101)'],
    ['an app named like a monitoring service', { ...kube, apps: [{ ...app, name: 'grafana' }] }, 'stack prod: observatory:apps[0].name: "grafana" is the name of a monitoring service; pick another name'],
    ['a non-root uid of 0', { ...kube, apps: [{ ...app, runAsUser: 0 }] }, 'stack prod: observatory:apps[0].runAsUser: must be >= 1 (got 0)'],
    [
      'docker: two services on one host port',
      { ...dockerBase, docker: { ports: { grafana: 9090 } } },
      'stack prod: observatory:docker.ports.prometheus: (9090) is also used by docker.ports.grafana',
    ],
    [
      'docker: a replica alias taken by another app',
      { ...dockerBase, apps: [{ ...app, name: 'api' }, { ...app, name: 'api-0' }] },
      'stack prod: observatory:apps[1].name: docker network alias "api-0" is also used by apps[0]',
    ],
    [
      'docker: a memory limit Docker refuses',
      { ...dockerBase, apps: [{ ...app, resources: { requests: { memory: '4Mi' }, limits: { memory: '4Mi' } } }] },
      'stack prod: observatory:apps[0].resources.limits.memory: "4Mi" is below Docker\'s minimum memory limit of 6Mi',
    ],
  ];
  it.each(cases)('%s', async (_name, raw, message) => {
    expect(failure(raw)).toBe(message);
    await settle();
    expect(registered.map((r) => r.name)).toEqual([]);
  });

  it('a missing secret names the command that sets it', async () => {
    expect(failure(kube, { grafanaAdminPassword: FAKE_SECRETS.grafanaAdminPassword })).toBe(
      'stack prod: observatory:postgresDsn: secret is missing; set it with `pulumi config set --secret observatory:postgresDsn <value>`',
    );
    await settle();
    expect(registered).toEqual([]);
  });
});

describe('index.ts (what `pulumi up` runs)', () => {
  it('reports bad input as a RunError: Pulumi prints the message without a stack trace', async () => {
    setConfig({ ...kube, apps: [{ ...app, replicas: { min: 5, max: 2 } }] }, needed);
    const pulumiModule = await import('@pulumi/pulumi');
    const error = await import('../index').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(pulumiModule.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('stack prod: observatory:apps[0].replicas: min (5) must be <= max (2)');
    await settle();
    expect(registered).toEqual([]);
  });
});

describe('bad artifacts fail before any resource is registered', () => {
  let KubernetesMonitoringStack: typeof import('../stacks/kubernetes/stack').KubernetesMonitoringStack;
  let pulumiModule: typeof import('@pulumi/pulumi');
  beforeAll(async () => {
    ({ KubernetesMonitoringStack } = await import('../stacks/kubernetes/stack'));
    pulumiModule = await import('@pulumi/pulumi');
  });

  function build(artifacts: Artifact[]): string {
    const config = testConfig();
    const secrets: StackSecrets = { grafanaAdminPassword: pulumiModule.secret('x'), postgresDsn: pulumiModule.secret('y') };
    try {
      new KubernetesMonitoringStack('observatory', { config, artifacts, secretArtifacts: pulumiModule.output([]), secrets });
    } catch (e) {
      if (e instanceof ObservatoryError) return e.message;
      throw e;
    }
    throw new Error('nothing thrown');
  }

  it('a dashboard over the 1 MiB ConfigMap limit is named with its size', async () => {
    const config = testConfig();
    const big: Artifact = { path: 'dashboards/obs-huge.json', content: `{"panels":"${'x'.repeat(1024 * 1024)}"}\n` };
    const size = Buffer.byteLength(big.content);
    expect(size).toBeGreaterThan(1048576);
    expect(build([...renderStack(config), big])).toBe(
      `stack prod: dashboards/obs-huge.json: is ${size + 'obs-huge.json'.length} bytes but a ConfigMap or Secret holds at most 1048576 bytes (1 MiB); the largest file is dashboards/obs-huge.json (${size} bytes) — split it up`,
    );
    await settle();
    expect(registered).toEqual([]);
  });
});

afterAll(async () => {
  await settle();
});
