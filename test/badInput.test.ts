/**
 * The bad-input corpus (issue 12) against the command-line tools, run as their entry points run
 * them (runCommand: exit code, stdout, stderr). Every case asserts: a non-zero exit, exactly one
 * line on stderr naming the key or flag and the problem, no stack trace, and no file under the
 * project (generated/ included) or the --out target changed, added or left behind.
 * The same config corpus goes through the Pulumi program in test/pulumi.badInput.test.ts.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_METRICS, loadCatalog } from '../catalog';
import type { MetricSpec } from '../catalog/types';
import { bench } from '../bench/cli';
import { diff } from '../cli/diff';
import type { RenderIo } from '../cli/render';
import { EXIT_CODES } from '../cli/run';
import type { WriteFs } from '../render/stagedWrite';
import { main as live } from '../live/cli';
import { ACCEPTED_CASES, CONFIG_CASES, dockerBase } from './corpus/configCases';
import { makeTemplateRoot, runCli, runRender, snapshot, STACK_TRACE, writeStackFile, type CliResult } from './corpus/harness';
import { cleanedTempDir } from './helpers';

const scratch = cleanedTempDir();
let template: string;
beforeAll(() => {
  template = makeTemplateRoot(scratch('corpus-template'));
});

/** A fresh copy of the template project. */
function project(): string {
  const root = scratch('corpus');
  fs.cpSync(template, root, { recursive: true });
  return root;
}

/** The one-line, no-trace, nothing-changed contract; `line` is what the single stderr line must contain. */
function expectRefused(r: CliResult, line: string | RegExp, before: Record<string, string>[], after: Record<string, string>[], code: number = EXIT_CODES.badInput): void {
  expect(r.err, r.err.join('\n')).toHaveLength(1);
  if (typeof line === 'string') expect(r.err[0]).toContain(line);
  else expect(r.err[0]).toMatch(line);
  expect(r.err[0]).not.toMatch(STACK_TRACE);
  expect(r.code).toBe(code);
  expect(after).toEqual(before);
}

describe('bad stack config: render refuses it, one line, nothing written', () => {
  it('the corpus holds at least 60 config cases', () => {
    expect(CONFIG_CASES.length).toBeGreaterThanOrEqual(60);
  });
  it.each(CONFIG_CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const root = project();
    writeStackFile(root, c.stack ?? 'dev', c.config);
    const before = snapshot(root);
    const r = await runRender(root, []);
    expectRefused(r, `render: error: ${c.message}`, [before], [snapshot(root)]);
    expect(r.err[0]).toBe(`render: error: ${c.message}`);
  });

  it.each(ACCEPTED_CASES.map((c) => [c.name, c] as const))('accepted: %s', async (_name, c) => {
    const root = project();
    writeStackFile(root, c.stack ?? 'dev', c.config);
    const r = await runRender(root, ['--stack', c.stack ?? 'dev', '--out', path.join(scratch('accepted'), 'out')]);
    expect(r.err).toEqual([]);
    expect(r.code).toBe(0);
  });
});

describe('bad stack files', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['invalid YAML', { 'Pulumi.dev.yaml': 'config: [unclosed' }, 'render: error: stack dev: Pulumi.dev.yaml: is not valid YAML'],
    ['misspelled top-level key', { 'Pulumi.dev.yaml': 'conifg:\n  observatory:target: docker\n' }, 'render: error: stack dev: Pulumi.dev.yaml: conifg: unknown top-level key (a stack file holds config, environment, secretsprovider, encryptedkey, encryptionsalt); check the spelling'],
    ['a list instead of a mapping', { 'Pulumi.dev.yaml': '- observatory:target: docker\n' }, 'render: error: stack dev: Pulumi.dev.yaml: must be a mapping with a config: key'],
    ['config not a mapping', { 'Pulumi.dev.yaml': 'config: docker\n' }, 'render: error: stack dev: config: must be a mapping of "observatory:<key>: value"'],
    ['a key without a namespace', { 'Pulumi.dev.yaml': 'config:\n  target: docker\n' }, 'render: error: stack dev: target: config keys must be namespaced, e.g. "observatory:target"'],
    ['a .yml stack file', { 'Pulumi.qa.yml': 'config:\n  observatory:target: docker\n' }, 'render: error: Pulumi.qa.yml: stack files end in .yaml: rename it to Pulumi.qa.yaml'],
    ['a stack file named Pulumi...yaml (stack ".")', { 'Pulumi...yaml': 'config:\n  observatory:target: docker\n' }, 'render: error: Pulumi...yaml: stack name ".": is not a usable stack name'],
    ['a stack file named Pulumi....yaml (stack "..")', { 'Pulumi....yaml': 'config:\n  observatory:target: docker\n' }, 'render: error: Pulumi....yaml: stack name "..": is not a usable stack name'],
    ['a hidden stack name', { 'Pulumi..x.yaml': 'config:\n  observatory:target: docker\n' }, 'render: error: Pulumi..x.yaml: stack name ".x": is not a usable stack name'],
  ];
  it.each(cases)('%s', async (_name, files, line) => {
    const root = project();
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(root, f), text);
    const before = snapshot(root);
    expectRefused(await runRender(root, []), line, [before], [snapshot(root)]);
  });
});

describe('bad catalog: render refuses it like any input', () => {
  const base = ALL_METRICS.find((m) => m.name === 'http_requests_total')!;
  const cases: [string, () => MetricSpec[], string][] = [
    ['a metric defined twice', () => [...ALL_METRICS, base], 'render: error: catalog.http_requests_total: is defined twice'],
    ['a counter without _total', () => [...ALL_METRICS, { ...base, name: 'orders_created' }], 'render: error: catalog.orders_created: counter names must end in "_total"'],
    ['a reserved label', () => [...ALL_METRICS, { ...base, name: 'orders_total', labels: { le: { help: 'x' } } }], 'render: error: catalog.orders_total: label "le" is reserved'],
    ['a millisecond unit', () => [...ALL_METRICS, { ...base, name: 'render_time_ms', type: 'gauge', unit: 'seconds' } as MetricSpec], 'render: error: catalog.render_time_ms: uses non-base unit "ms"'],
    ['a metric the dashboards and rules use is missing', () => ALL_METRICS.filter((m) => m.name !== 'http_requests_total'), 'http_requests_total'],
  ];
  it.each(cases)('%s', async (_name, specs, line) => {
    const root = project();
    const before = snapshot(root);
    const r = await runRender(root, [], { catalog: () => loadCatalog(specs()) });
    expectRefused(r, line, [before], [snapshot(root)]);
  });
});

describe('bad flags: one line naming the flag', () => {
  const cases: [string, string[], string][] = [
    ['unknown flag', ['--chek'], "render: error: --chek: unknown option (see npm run render -- --help)"],
    ['flag missing its value', ['--stack'], 'render: error: --stack: needs a value'],
    ['boolean flag with a value', ['--check=yes'], 'render: error: --check: does not take a value'],
    ['positional argument', ['dev'], 'render: error: arguments: unexpected argument "dev" (see npm run render -- --help)'],
    ['unknown stack', ['--stack', 'qa'], 'render: error: --stack: unknown stack "qa" (have: dev, prod, staging)'],
    ['stack "." (a path segment)', ['--stack', '.'], 'render: error: --stack: unknown stack "." (have: dev, prod, staging)'],
    ['stack ".." (a path segment)', ['--stack', '..'], 'render: error: --stack: unknown stack ".." (have: dev, prod, staging)'],
    ['--alert-for without --out', ['--alert-for', '30s'], 'render: error: --alert-for: needs --out: generated/ must hold the real alert durations'],
    ['--alert-for not a duration (names the flag, not an internal option)', ['--alert-for', 'soon', '--out', 'x'], 'render: error: --alert-for: "soon" is not a Prometheus duration such as 30s or 1m'],
    ['--alert-for with --check', ['--check', '--alert-for', '30s', '--out', 'x'], 'render: error: --alert-for: cannot be combined with --check'],
    ['--out empty', ['--out', ''], 'render: error: --out: must not be empty (it would write into the current folder)'],
  ];
  it.each(cases)('render: %s', async (_name, argv, line) => {
    const root = project();
    const before = snapshot(root);
    expectRefused(await runRender(root, argv), line, [before], [snapshot(root)]);
  });

  const others: [string, (log: (l: string) => void) => Promise<number> | number, string][] = [
    ['diff: no ref', () => diff([], template, () => {}), 'diff: error: <git-ref>: give exactly one git ref to compare with'],
    ['diff: two refs', () => diff(['a', 'b'], template, () => {}), 'diff: error: <git-ref>: give exactly one git ref to compare with'],
    ['diff: unknown flag', () => diff(['--base', 'main'], template, () => {}), 'diff: error: --base: unknown option (see npm run diff -- --help)'],
    ['bench: unknown benchmark', (log) => bench(['speed'], log), 'bench: error: benchmark: expected exactly one of render, queries, rules, all (got "speed")'],
    ['bench: --hours unbounded', (log) => bench(['queries', '--hours', '100000'], log), 'bench: error: --hours: (100000) must be at most 336'],
    ['bench: --routes 0', (log) => bench(['queries', '--routes', '0'], log), 'bench: error: --routes: must be a positive integer (got "0")'],
    ['bench: --out is a file, checked before the run', (log) => bench(['render', '--out', path.join(template, 'Pulumi.dev.yaml')], log), 'bench: error: --out: '],
    ['live: --rate 0', () => live(['--rate', '0']), 'live: error: --rate: "0" must be a number of requests per second in 1..500'],
    ['live: --alert-for not a duration', () => live(['--alert-for', 'soon']), 'live: error: --alert-for: "soon" is not a Prometheus duration'],
    ['live: unknown flag', () => live(['--kep']), 'live: error: --kep: unknown option (see npm run live -- --help)'],
  ];
  it.each(others)('%s', async (name, main, line) => {
    const before = snapshot(template);
    const r = await runCli(name.split(':')[0], main);
    expectRefused(r, line, [before], [snapshot(template)]);
  });
});

describe('file-system conditions: refused before or undone after, the output as it was', () => {
  const outCases: [string, (root: string, out: string) => string, string | RegExp][] = [
    ['--out is a file', (root) => path.join(root, 'Pulumi.dev.yaml'), /render: error: --out: .*Pulumi\.dev\.yaml is a file, not a folder/],
    ['--out below a file (ENOTDIR)', (root) => path.join(root, 'Pulumi.dev.yaml', 'sub'), /render: error: --out: .*Pulumi\.dev\.yaml is a file, not a folder/],
    ['--out on /proc', () => '/proc/observatory-render', 'render: error: --out: /proc/observatory-render is on a system pseudo file system (proc); choose a real folder'],
    ['--out the project folder', (root) => root, /render: error: --out: .* is the project folder or one of its parents/],
    ['--out a parent of the project', (root) => path.dirname(root), /render: error: --out: .* is the project folder or one of its parents/],
    ['--out holding a folder render did not write', (_root, out) => {
      fs.mkdirSync(path.join(out, 'dev'), { recursive: true });
      fs.writeFileSync(path.join(out, 'dev', 'notes.txt'), 'mine\n');
      return out;
    }, /render: error: --out: .*dev exists and was not written by render \(no \.observatory-render\)/],
    ['--out holding a file where a stack folder goes', (_root, out) => {
      fs.mkdirSync(out, { recursive: true });
      fs.writeFileSync(path.join(out, 'prod'), 'mine\n');
      return out;
    }, /render: error: --out: .*prod exists and is a file/],
  ];
  it.each(outCases)('%s', async (_name, target, line) => {
    const root = project();
    const out = path.join(scratch('corpus-out'), 'target');
    const dir = target(root, out);
    const before = [snapshot(root), snapshot(out)];
    expectRefused(await runRender(root, ['--out', dir]), line, before, [snapshot(root), snapshot(out)]);
  });

  /** A file system that fails (or is interrupted) after `n` good writes. */
  function failingFs(n: number, fail: () => Promise<void>): WriteFs {
    let written = 0;
    return {
      writeFile: async (file, content) => {
        if (written++ >= n) return fail();
        await fs.promises.writeFile(file, content);
      },
    };
  }
  const errno = (code: string) => () => Promise.reject(Object.assign(new Error(`${code}: simulated`), { code }));
  const signal = (s: 'SIGINT' | 'SIGTERM') => () => {
    process.emit(s, s);
    return Promise.resolve();
  };
  const writeCases: [string, RenderIo['fs'], string | RegExp, number][] = [
    ['the disk fills up during the second stack', failingFs(70, errno('ENOSPC')), /render: error: .*: cannot be written \(ENOSPC: no space left on the device\); nothing under .*generated was changed/, EXIT_CODES.badInput],
    ['the disk fills up on the first file', failingFs(0, errno('ENOSPC')), /cannot be written \(ENOSPC/, EXIT_CODES.badInput],
    ['permission denied mid-write', failingFs(10, errno('EACCES')), /cannot be written \(EACCES\)/, EXIT_CODES.badInput],
    ['an I/O error on the last stack', failingFs(140, errno('EIO')), /cannot be written \(EIO\)/, EXIT_CODES.badInput],
    ['Ctrl-C (SIGINT) mid-write', failingFs(30, signal('SIGINT')), /^render: interrupted \(SIGINT\); nothing under .*generated was changed$/, EXIT_CODES.SIGINT],
    ['SIGTERM mid-write', failingFs(100, signal('SIGTERM')), /^render: interrupted \(SIGTERM\); nothing under .*generated was changed$/, EXIT_CODES.SIGTERM],
  ];
  it.each(writeCases)('%s', async (_name, wfs, line, code) => {
    const root = project();
    // Make the sources differ from generated/, so a half-done swap would show.
    writeStackFile(root, 'dev', { ...dockerBase(), 'observatory:scrapeInterval': '30s', 'observatory:evaluationInterval': '30s' });
    const before = snapshot(root);
    const r = await runRender(root, [], { fs: wfs });
    expectRefused(r, line, [before], [snapshot(root)], code);
  });

  it('--out in a fresh folder: a failed write removes the folders it created', async () => {
    const root = project();
    const parent = scratch('corpus-fresh');
    const r = await runRender(root, ['--out', path.join(parent, 'a', 'b')], { fs: failingFs(5, errno('ENOSPC')) });
    expectRefused(r, /ENOSPC/, [{}], [snapshot(path.join(parent, 'a'))]);
  });
});

/** A real full disk: a small tmpfs (needs root and mount, as on this project's test machines). */
function tryMount(dir: string, size: string): boolean {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0;
}
const mountPoint = path.join(os.tmpdir(), `observatory-tmpfs-${process.pid}`);
fs.mkdirSync(mountPoint, { recursive: true });
const canMount = tryMount(mountPoint, '16m');
afterAll(() => {
  if (canMount) spawnSync('umount', [mountPoint]);
  fs.rmSync(mountPoint, { recursive: true, force: true });
});

describe('a real full disk (tmpfs)', () => {
  it.skipIf(!canMount)('a render that does not fit leaves the previous output byte for byte, and no temp folder', async () => {
    const root = project();
    const out = path.join(mountPoint, 'out');
    expect((await runRender(root, ['--out', out])).code).toBe(0);
    // Room for the output once and a half: staging three new stacks beside the old ones cannot fit.
    const st = fs.statfsSync(mountPoint);
    const used = (st.blocks - st.bfree) * st.bsize;
    expect(spawnSync('mount', ['-o', `remount,size=${Math.ceil((used * 1.5) / 4096) * 4}k`, mountPoint]).status).toBe(0);
    writeStackFile(root, 'dev', { ...dockerBase(), 'observatory:scrapeInterval': '30s', 'observatory:evaluationInterval': '30s' });
    const before = [snapshot(root), snapshot(out)];
    const r = await runRender(root, ['--out', out]);
    expectRefused(r, /render: error: .*: cannot be written \(ENOSPC: no space left on the device\); nothing under .* was changed/, before, [snapshot(root), snapshot(out)]);
  });
});

describe('debris and orphans', () => {
  it('render --check reports a temp folder a killed render left and an orphaned stack folder; render removes the temp folder', async () => {
    const root = project();
    const gen = path.join(root, 'generated');
    fs.mkdirSync(path.join(gen, '.dev.tmp-99999999-abc123', 'dashboards'), { recursive: true });
    fs.writeFileSync(path.join(gen, '.dev.tmp-99999999-abc123', 'dashboards', 'half.json'), '{');
    fs.cpSync(path.join(gen, 'dev'), path.join(gen, 'qa'), { recursive: true });
    const check = await runRender(root, ['--check']);
    expect(check.code).toBe(EXIT_CODES.differences);
    expect(check.out).toEqual([
      'leftover: generated/.dev.tmp-99999999-abc123 (temp folder of an interrupted render; `npm run render` removes it)',
      'orphaned: generated/qa (no Pulumi.qa.yaml; delete the folder)',
      'render --check: 2 problem(s): the output differs from the sources; run `npm run render` and commit the result',
    ]);
    const r = await runRender(root, []);
    expect(r.code).toBe(0);
    expect(r.out[0]).toBe('removed generated/.dev.tmp-99999999-abc123 (left by an interrupted render)');
    expect(fs.readdirSync(gen).sort()).toEqual(['dev', 'prod', 'qa', 'staging']);
    // A running render's temp folder (this process) is not touched.
    const mine = path.join(gen, `.dev.tmp-${process.pid}-live01`);
    fs.mkdirSync(mine);
    await runRender(root, ['--stack', 'prod']);
    expect(fs.existsSync(mine)).toBe(true);
  });

  it('npm run diff refuses a generated/ that holds a temp folder instead of reporting its files as new', async () => {
    const root = project();
    fs.mkdirSync(path.join(root, 'generated', '.dev.tmp-99999999-abc123'));
    const r = await runCli('diff', () => {
      // filesInWorkingTree is what reads generated/; the git side needs a repository
      return import('../cli/diff').then((m) => (m.filesInWorkingTree(root), 0));
    });
    expect(r.err).toEqual(['diff: error: generated/.dev.tmp-99999999-abc123: is the temp folder of an interrupted render, not output; run `npm run render` (it removes it) and diff again']);
    expect(r.code).toBe(EXIT_CODES.badInput);
  });
});

describe('--help', () => {
  it.each([
    ['render', (log: (l: string) => void) => runRender(template, ['--help']).then((r) => (r.out.forEach(log), r.code))],
    ['diff', () => diff(['--help'], template, () => {})],
    ['bench', (log: (l: string) => void) => bench(['--help'], log)],
    ['live', () => live(['-h'])],
  ] as const)('%s prints its usage, every flag and the exit codes, and exits 0', async (name, main) => {
    const r = await runCli(name, main);
    expect(r.code).toBe(0);
    const text = r.out.join('\n');
    expect(text).toMatch(new RegExp(`^Usage: npm run ${name} --`));
    expect(text).toContain('Exit codes:');
    expect(text).toContain('2    bad input');
    expect(text).toContain('-h, --help');
  });
});

describe('a real interrupt of a real render process', () => {
  /**
   * Whatever moment the signal lands, the output is either untouched or complete, and no temp
   * folder is left. Node runs render itself (tsx as a loader, not the tsx CLI, which would relay
   * the signal from a parent process and make its timing race the test's).
   */
  async function start(out: string) {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, '..', 'cli', 'render.ts'), '--out', out], { cwd: path.join(__dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, exited, stderr: () => stderr };
  }

  it.each(['SIGINT', 'SIGTERM'] as const)('%s while the files are being written: exit 130/143, one line, nothing left', async (sig) => {
    const out = path.join(scratch('corpus-signal'), 'out');
    const run = await start(out);
    // The output folder appears when the staged writes begin: signal right then.
    while (!fs.existsSync(out)) {
      if (run.child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 2));
    }
    run.child.kill(sig);
    const { code } = await run.exited;
    expect(run.stderr().trim().split('\n')).toEqual([`render: interrupted (${sig}); nothing under ${out} was changed`]);
    expect(code).toBe(sig === 'SIGINT' ? 130 : 143);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);

  it('SIGINT before writing begins: the default action, nothing written', async () => {
    const out = path.join(scratch('corpus-signal'), 'out');
    const run = await start(out);
    await new Promise((r) => setTimeout(r, 300));
    run.child.kill('SIGINT');
    const { signal } = await run.exited;
    expect(signal).toBe('SIGINT');
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);
});
