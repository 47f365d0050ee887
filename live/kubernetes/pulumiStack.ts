/**
 * A committed kubernetes stack deployed for real: the pinned Pulumi CLI (toolchain build) runs
 * index.ts's program through the Automation API, as an inline program in this process (the CLI's
 * `--client` mode, so no nodejs language host is needed), and the pinned kubernetes provider
 * plugin talks to the test API server. State goes to a local file backend in the test's scratch
 * directory, secrets are set with `config set --secret` as a user sets them, and the committed
 * Pulumi.<stack>.yaml is copied, never written.
 *
 * Nothing here reaches beyond 127.0.0.1: no update check, no plugin download (the provider is
 * found on PATH, an "ambient" plugin), no Pulumi Cloud.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { LocalWorkspace, PulumiCommand, type ConfigMap, type EngineEvent, type OpType, type Stack } from '@pulumi/pulumi/automation';
import { stackOutputs } from '../../stacks/program';
import { UPSTREAM } from '../../stacks/versions';
import { programDir, toolPath } from '../../toolchain/paths';
import type { KubeObject } from './client';

const REPO = path.resolve(__dirname, '../..');
const PROJECT = 'observatory';
/** The state's passphrase (PULUMI_CONFIG_PASSPHRASE): it encrypts the secrets in the test's state file. */
const PASSPHRASE = 'observatory-e2e-passphrase';

export interface PulumiStackOptions {
  /** The committed stack whose Pulumi.<stack>.yaml is deployed. */
  readonly stack: string;
  /** Scratch directory: the project copy, the state backend and PULUMI_HOME. */
  readonly dir: string;
  /** kubeconfig the kubernetes provider uses (KUBECONFIG). */
  readonly kubeconfig: string;
  /** Secret config values, set as secrets (without the `observatory:` prefix). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly log: (line: string) => void;
}

/** What one operation did: the engine's steps per resource URN (a replacement takes several), and the warnings it printed. */
export interface OperationRecord {
  readonly ops: ReadonlyMap<string, ReadonlySet<OpType>>;
  readonly warnings: readonly string[];
  readonly stdout: string;
}

/** A resource of the stack's state: its URN, type and the provider's outputs (for kubernetes resources, the live object). */
export interface StateResource {
  readonly urn: string;
  readonly type: string;
  readonly id?: string;
  readonly parent?: string;
  /** What the program declared. */
  readonly inputs: Record<string, unknown>;
  readonly outputs: Record<string, unknown>;
  readonly protect?: boolean;
}

/** Environment of every CLI process (and so of the provider plugins it starts). */
function cliEnvironment(o: PulumiStackOptions): Record<string, string> {
  return {
    PULUMI_HOME: path.join(o.dir, 'pulumi-home'),
    PULUMI_BACKEND_URL: `file://${path.join(o.dir, 'state')}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_SKIP_CONFIRMATIONS: 'true',
    // The provider plugin is the toolchain's build, found on PATH.
    PATH: [path.join(programDir('pulumiKubernetes'), 'bin'), path.join(programDir('pulumi'), 'bin'), process.env.PATH ?? ''].join(path.delimiter),
    KUBECONFIG: o.kubeconfig,
  };
}

function recorder(): { onEvent: (e: EngineEvent) => void; ops: Map<string, Set<OpType>>; warnings: string[] } {
  const ops = new Map<string, Set<OpType>>();
  const warnings: string[] = [];
  return {
    ops,
    warnings,
    onEvent: (e: EngineEvent) => {
      const step = e.resourcePreEvent?.metadata ?? e.resOutputsEvent?.metadata ?? e.resOpFailedEvent?.metadata;
      if (step) ops.set(step.urn, (ops.get(step.urn) ?? new Set<OpType>()).add(step.op));
      // Ephemeral diagnostics are the provider's progress lines while it waits ("[MinimumReplicasUnavailable] ...").
      if (e.diagnosticEvent && e.diagnosticEvent.severity === 'warning' && !e.diagnosticEvent.ephemeral) warnings.push(`${e.diagnosticEvent.urn ?? ''}: ${e.diagnosticEvent.message.trim()}`);
    },
  };
}

export class DeployedStack {
  private constructor(
    readonly options: PulumiStackOptions,
    readonly stack: Stack,
    readonly workDir: string,
    readonly env: Readonly<Record<string, string>>,
  ) {}

  /** The stack selected in a copy of the project, its secrets set; nothing deployed yet. */
  static async create(o: PulumiStackOptions): Promise<DeployedStack> {
    const workDir = path.join(o.dir, `project-${o.stack}`);
    fs.mkdirSync(workDir, { recursive: true });
    fs.copyFileSync(path.join(REPO, `Pulumi.${o.stack}.yaml`), path.join(workDir, `Pulumi.${o.stack}.yaml`));
    // The project file without `main`: the program runs inline, and the CLI checks that main exists.
    const project = yaml.load(fs.readFileSync(path.join(REPO, 'Pulumi.yaml'), 'utf8')) as Record<string, unknown>;
    delete project.main;
    fs.writeFileSync(path.join(workDir, 'Pulumi.yaml'), yaml.dump(project));
    const env = cliEnvironment(o);
    fs.mkdirSync(path.join(o.dir, 'state'), { recursive: true });
    const pulumiCommand = await PulumiCommand.get({ root: programDir('pulumi') });
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: o.stack, projectName: PROJECT, program: async () => stackOutputs() }, { workDir, pulumiCommand, envVars: env });
    const secrets: ConfigMap = Object.fromEntries(Object.entries(o.secrets).map(([k, v]) => [`${PROJECT}:${k}`, { value: v, secret: true }]));
    await stack.setAllConfig(secrets);
    return new DeployedStack(o, stack, workDir, env);
  }

  /**
   * `pulumi up --yes`. The provider waits up to 10 minutes for a workload that never gets Ready;
   * after `deadlineMs` the up is aborted instead, and the error says what `explain` finds (which
   * workloads are not Ready, and why).
   */
  async up(deadline?: { readonly ms: number; readonly explain: () => Promise<string> }): Promise<OperationRecord> {
    const r = recorder();
    const abort = new AbortController();
    let overdue: string | undefined;
    const timer = deadline
      ? setTimeout(() => {
          void deadline
            .explain()
            .catch((e: unknown) => `(could not tell why: ${(e as Error).message})`)
            .then((why) => {
              overdue = why;
              abort.abort();
            });
        }, deadline.ms)
      : undefined;
    try {
      const result = await this.stack.up({ onEvent: r.onEvent, color: 'never', onOutput: (s) => this.logLines(s), signal: abort.signal });
      return { ops: r.ops, warnings: r.warnings, stdout: result.stdout };
    } catch (e) {
      if (overdue !== undefined) throw new Error(`${this.options.stack}: pulumi up did not finish within ${Math.round((deadline?.ms ?? 0) / 1000)} s: ${overdue}`);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /** `pulumi preview --expect-no-changes`: throws (naming the changes) unless nothing would change. */
  async previewExpectNoChanges(): Promise<OperationRecord> {
    const r = recorder();
    const result = await this.stack.preview({ expectNoChanges: true, onEvent: r.onEvent, color: 'never' });
    return { ops: r.ops, warnings: r.warnings, stdout: result.stdout };
  }

  /** `pulumi destroy --yes`. */
  async destroy(): Promise<OperationRecord> {
    const r = recorder();
    const result = await this.stack.destroy({ onEvent: r.onEvent, color: 'never', onOutput: (s) => this.logLines(s) });
    return { ops: r.ops, warnings: r.warnings, stdout: result.stdout };
  }

  /** The resources of the stack's state (`pulumi stack export`), secrets still encrypted. */
  async state(): Promise<StateResource[]> {
    const exported = await this.stack.exportStack();
    const deployment = exported.deployment as { resources?: StateResource[] };
    return deployment.resources ?? [];
  }

  /** The state file as the backend stores it. */
  stateFile(): string {
    return fs.readFileSync(path.join(this.options.dir, 'state', '.pulumi', 'stacks', PROJECT, `${this.options.stack}.json`), 'utf8');
  }

  /** Runs a shell script in the project directory with the CLI's environment (`pulumi` on PATH, the stack selected). */
  shell(script: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { cwd: this.workDir, env: { ...process.env, ...this.env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (b: Buffer) => (output += b.toString()));
      child.stderr.on('data', (b: Buffer) => (output += b.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? -1, output }));
    });
  }

  private logLines(s: string): void {
    for (const line of s.split('\n')) if (line.trim() !== '') this.options.log(`${this.options.stack}: ${line.trimEnd()}`);
  }
}

/**
 * The warnings every operation prints because the provider is the toolchain's build of the commit
 * the module proxy serves, found on PATH, rather than the release @pulumi/kubernetes asks for
 * (stacks/versions.ts says why); any other warning is a finding.
 */
export function providerVersionWarnings(): RegExp[] {
  const sdk = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules/@pulumi/kubernetes/package.json'), 'utf8')) as { version: string }).version;
  const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return [new RegExp(`using pulumi-resource-kubernetes from \\$PATH`), new RegExp(`resource plugin kubernetes is expected to have version >=${escape(sdk)}, but has ${escape(UPSTREAM.pulumiKubernetes.release)}`)];
}

/** The Pulumi CLI build; a missing one throws saying to run `npm run tools`. */
export function pulumiBinaries(): { cli: string; provider: string } {
  return { cli: toolPath('pulumi'), provider: toolPath('pulumi-resource-kubernetes') };
}

/**
 * The Kubernetes objects of a state, as the API server holds them (the provider's outputs are the
 * live objects): `kubernetes:apps/v1:Deployment` -> apps/v1 Deployment.
 */
export function kubernetesObjects(resources: readonly StateResource[]): KubeObject[] {
  return resources
    .filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:index:'))
    .map((r) => {
      const [, groupVersion, kind] = r.type.split(':');
      const apiVersion = groupVersion.startsWith('core/') ? groupVersion.slice('core/'.length) : groupVersion;
      return { ...r.outputs, apiVersion, kind, metadata: r.outputs.metadata as KubeObject['metadata'] };
    });
}
