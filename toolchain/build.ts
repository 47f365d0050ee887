/**
 * `npm run tools`: builds every program of stacks/versions.ts UPSTREAM from its Go module at the
 * pinned version into the cache (toolchain/paths.ts), one program at a time (the machines have two
 * cores; the Go compiler uses both). A program whose build stamp matches is skipped, so a warm run
 * takes a second. Static binaries (CGO off), so the same files go into FROM-scratch images.
 *
 *   npm run tools                    build whatever is missing or stale
 *   npm run tools -- prometheus      only the named programs
 *   npm run tools -- --phase unit    only the programs the unit tests need (UpstreamProgram.phase)
 *   npm run tools -- --list          print the pinned programs and where they are
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { UPSTREAM, type TestPhase, type UpstreamKey, type UpstreamProgram } from '../stacks/versions';
import { cacheDir, commandName, programDir } from './paths';

const STAMP = 'build.json';

function goVersion(): string {
  const r = spawnSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('the Go toolchain is not installed (need go >= 1.26 on PATH)');
  return r.stdout.trim();
}

/** What a build depends on; a change to any of it rebuilds. Fields a program does not use are left out, so adding one does not rebuild the others. */
export function stampOf(p: UpstreamProgram, go: string): string {
  return `${JSON.stringify({ module: p.module, moduleVersion: p.moduleVersion, commands: p.commands, tags: p.tags ?? [], versionVariables: p.versionVariables ?? [], placeholderAssets: p.placeholderAssets ?? [], ...(p.localReplaces ? { localReplaces: p.localReplaces } : {}), ...(p.binaryNames ? { binaryNames: p.binaryNames } : {}), ...(p.generate ? { generate: p.generate } : {}), go: p.goToolchain ?? go }, null, 2)}\n`;
}

function isCurrent(key: UpstreamKey, stamp: string): boolean {
  const dir = programDir(key);
  try {
    if (fs.readFileSync(path.join(dir, STAMP), 'utf8') !== stamp) return false;
  } catch {
    return false;
  }
  return UPSTREAM[key].commands.every((c) => fs.existsSync(path.join(dir, 'bin', commandName(key, c))));
}

/** The environment of every go command; `goToolchain` is a program's own Go release (UpstreamProgram.goToolchain). */
export function goEnv(goToolchain?: string): NodeJS.ProcessEnv {
  const cache = cacheDir();
  return {
    ...process.env,
    GOMODCACHE: path.join(cache, 'go', 'mod'),
    GOCACHE: path.join(cache, 'go', 'build'),
    GOFLAGS: '-mod=mod',
    GOTOOLCHAIN: goToolchain ?? 'local',
    CGO_ENABLED: '0',
  };
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string, label: string): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const beat = setInterval(() => log(`${label}: still building (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
    child.on('error', (e) => {
      clearInterval(beat);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(beat);
      if (code === 0) resolve();
      else reject(new Error(`${label}: \`${cmd} ${args.join(' ')}\` failed with exit code ${code}:\n${output.trim().split('\n').slice(-30).join('\n')}`));
    });
  });
}

function log(line: string): void {
  process.stdout.write(`[tools] ${line}\n`);
}

/** The replace directives of a go.mod (single-line and block form), comments removed. */
export function replaceDirectives(goMod: string): string[] {
  const replaces: string[] = [];
  let block = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (block) {
      if (line === ')') block = false;
      else if (line.includes('=>')) replaces.push(line);
    } else if (line === 'replace (') block = true;
    else if (line.startsWith('replace ')) replaces.push(line.slice('replace '.length).trim());
  }
  return replaces;
}

const isLocalPath = (target: string) => target.startsWith('./') || target.startsWith('../') || target.startsWith('/') || target === '.' || target === '..';
const withoutMajor = (modulePath: string) => modulePath.replace(/\/v[0-9]+$/, '');

/**
 * The replace directives the wrapper module carries: upstream's, with each local-directory
 * replace of a sibling module (UpstreamProgram.localReplaces) pointed at its published version,
 * `M => ./staging/src/M` or `M => ../x` becoming `M => M <version>`. A local replace that is not
 * one (another module prefix, or a directory that is not that module's) is an error naming it:
 * no module download carries the directory, and guessing a version would build something else.
 */
export function publishedReplaces(replaces: readonly string[], p: UpstreamProgram, label: string): string[] {
  return replaces.map((rep) => {
    const [from, to] = rep.split('=>').map((x) => x.trim());
    const target = to.split(/\s+/)[0];
    if (!isLocalPath(target)) return rep;
    const modulePath = from.split(/\s+/)[0];
    const local = p.localReplaces;
    const fix = 'map it to a published module version in stacks/versions.ts (localReplaces)';
    if (local === undefined) throw new Error(`${label}: its go.mod replaces a module with a local directory (${rep}); ${fix}`);
    // The directory must be the module's own: ./staging/src/<module> (Kubernetes) or a sibling
    // directory whose path is the module path's tail (etcd: ../client/pkg for go.etcd.io/etcd/client/pkg/v3).
    const dir = withoutMajor(target.replace(/^\.\/staging\/src\//, '').replace(/^(\.\.\/)+/, '').replace(/^\.\//, '').replace(/\/+$/, ''));
    const ownDirectory = dir !== '' && !dir.startsWith('/') && (withoutMajor(modulePath) === dir || withoutMajor(modulePath).endsWith(`/${dir}`));
    if (!modulePath.startsWith(local.modulePrefix) || !ownDirectory) {
      throw new Error(`${label}: its go.mod replaces ${modulePath} with the local directory ${target}, which is not a sibling module under ${local.modulePrefix} published at ${local.version}; ${fix}`);
    }
    return `${modulePath} => ${modulePath} ${local.version}`;
  });
}

/** Where the module's source is (downloaded from the module proxy), its go.mod and that go.mod's replace directives as the wrapper carries them. */
function downloadModule(p: UpstreamProgram, label: string): { dir: string; goMod: string; replaces: string[] } {
  const r = spawnSync('go', ['mod', 'download', '-json', `${p.module}@${p.moduleVersion}`], { env: goEnv(p.goToolchain), encoding: 'utf8', cwd: cacheDir() });
  if (r.status !== 0) throw new Error(`${label}: cannot download ${p.module}@${p.moduleVersion} from the Go module proxy:\n${(r.stdout + r.stderr).trim().split('\n').slice(-5).join('\n')}`);
  const info = JSON.parse(r.stdout) as { Dir: string; GoMod: string };
  const goMod = fs.readFileSync(info.GoMod, 'utf8');
  return { dir: info.Dir, goMod, replaces: publishedReplaces(replaceDirectives(goMod), p, label) };
}

/**
 * The module's own go.mod with its replace directives swapped for the published ones, so that a
 * copy of the module can be the main module of a `go generate` run (its local replaces point at
 * directories the copy does not have).
 */
export function goModWithReplaces(goMod: string, replaces: readonly string[]): string {
  const kept: string[] = [];
  let block = false;
  for (const raw of goMod.split('\n')) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (block) {
      if (line === ')') block = false;
      continue;
    }
    if (line === 'replace (') block = true;
    else if (!line.startsWith('replace ')) kept.push(raw);
  }
  return [...kept, 'replace (', ...replaces.map((r) => `\t${r}`), ')', ''].join('\n');
}

function wrapperGoMod(key: UpstreamKey, p: UpstreamProgram, replaces: readonly string[]): string {
  return [`module observatory.local/toolchain/${key}`, '', 'go 1.26', '', `require ${p.module} ${p.moduleVersion}`, '', 'replace (', ...replaces.map((r) => `\t${r}`), ')', ''].join('\n');
}

/** Makes root and every existing directory on the way to root/rel writable (the module cache's are not). */
function makeWritable(root: string, rel: string): void {
  let d = root;
  fs.chmodSync(d, 0o755);
  for (const part of rel.split('/')) {
    d = path.join(d, part);
    if (!fs.existsSync(d)) return;
    fs.chmodSync(d, 0o755);
  }
}

/** The page a UI bundle that is not built here is replaced with. */
function placeholderPage(key: UpstreamKey, p: UpstreamProgram): string {
  return `<!doctype html><title>${key} ${p.release}</title><p>Observatory's build of ${key} ${p.release}: its web UI bundle needs a JavaScript build that is not part of this toolchain. The HTTP API is complete.</p>\n`;
}

async function build(key: UpstreamKey, go: string): Promise<void> {
  const p: UpstreamProgram = UPSTREAM[key];
  const stamp = stampOf(p, go);
  const label = `${key} ${p.release}`;
  if (isCurrent(key, stamp)) {
    log(`${label}: up to date`);
    return;
  }
  const dir = programDir(key);
  const staging = `${dir}.tmp-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.join(staging, 'bin'), { recursive: true });
  const ldflags = ['-s', '-w', ...(p.versionVariables ?? []).flatMap((v) => ['-X', v])].join(' ');
  const flags = ['-trimpath', `-ldflags=${ldflags}`, ...(p.tags && p.tags.length > 0 ? [`-tags=${p.tags.join(',')}`] : [])];
  const packageOf = (c: string) => (c === '.' ? p.module : `${p.module}/${c}`);
  // Commands with Go's default binary name are built together; a renamed one (etcd) on its own.
  const defaultNamed = p.commands.filter((c) => p.binaryNames?.[c] === undefined);
  const renamed = p.commands.filter((c) => p.binaryNames?.[c] !== undefined);
  log(`${label}: building ${p.commands.map((c) => commandName(key, c)).join(', ')} from ${p.module}@${p.moduleVersion}`);
  const started = Date.now();
  try {
    if (p.goToolchain) log(`${label}: its go.mod needs a newer Go than ${go}; building with ${p.goToolchain} (fetched once from the module proxy)`);
    const env = goEnv(p.goToolchain);
    const { dir: source, goMod, replaces } = downloadModule(p, label);
    const placeholders = p.placeholderAssets ?? [];
    // Always through a small wrapper module that requires the program's module at its version and
    // carries the replace directives of its go.mod: `go install m@v` refuses modules with replaces
    // (Jaeger), and asks the proxy for the module's version list, which it does not serve for
    // every module. A UI bundle the module embeds but does not ship is stood in for by a
    // placeholder page, in a copy of its source.
    const wrapper = path.join(staging, 'wrapper');
    fs.mkdirSync(wrapper);
    const own = [...replaces];
    if (replaces.length > 0) log(`${label}: carrying the ${replaces.length} replace directive(s) of its go.mod${p.localReplaces ? ` (local ${p.localReplaces.modulePrefix} directories as ${p.localReplaces.version})` : ''}`);
    if (placeholders.length > 0 || p.generate) {
      const copy = path.join(wrapper, 'src');
      fs.cpSync(source, copy, { recursive: true });
      if (placeholders.length > 0) log(`${label}: the module embeds UI bundles it does not ship (${placeholders.join(', ')}); building with a placeholder page`);
      for (const asset of placeholders) {
        const parent = path.join(copy, path.dirname(asset));
        makeWritable(copy, path.dirname(asset));
        fs.mkdirSync(parent, { recursive: true });
        fs.writeFileSync(path.join(copy, asset), placeholderPage(key, p));
      }
      if (p.generate) {
        log(`${label}: go generate ./${p.generate.directory} (files its release build generates before compiling)`);
        makeWritable(copy, p.generate.directory);
        for (const f of ['go.mod', 'go.sum']) if (fs.existsSync(path.join(copy, f))) fs.chmodSync(path.join(copy, f), 0o644);
        fs.writeFileSync(path.join(copy, 'go.mod'), goModWithReplaces(goMod, replaces));
        await run('go', ['generate', `./${p.generate.directory}`], { ...env, ...p.generate.env }, copy, label);
      }
      own.push(`${p.module} => ./src`);
    }
    fs.writeFileSync(path.join(wrapper, 'go.mod'), wrapperGoMod(key, p, own));
    if (defaultNamed.length > 0) await run('go', ['build', ...flags, '-o', path.join(staging, 'bin') + path.sep, ...defaultNamed.map(packageOf)], env, wrapper, label);
    for (const c of renamed) await run('go', ['build', ...flags, '-o', path.join(staging, 'bin', commandName(key, c)), packageOf(c)], env, wrapper, label);
    fs.rmSync(wrapper, { recursive: true, force: true });
    fs.writeFileSync(path.join(staging, STAMP), stamp);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(staging, dir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  log(`${label}: built in ${Math.round((Date.now() - started) / 1000)} s -> ${path.join(dir, 'bin')}`);
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { list: { type: 'boolean', default: false }, phase: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const keys = Object.keys(UPSTREAM) as UpstreamKey[];
  const phases: readonly TestPhase[] = ['unit', 'stack', 'cluster'];
  if (values.help) {
    process.stdout.write(`usage: npm run tools -- [--list] [--phase ${phases.join('|')}] [program ...]\n\nBuilds the pinned programs (${keys.join(', ')}) into ${cacheDir()} (OBSERVATORY_CACHE).\n`);
    return 0;
  }
  const unknown = positionals.filter((k) => !(keys as string[]).includes(k));
  if (unknown.length > 0) {
    process.stderr.write(`tools: unknown program ${unknown.join(', ')} (have: ${keys.join(', ')})\n`);
    return 2;
  }
  const phase = values.phase;
  if (phase !== undefined && !(phases as readonly string[]).includes(phase)) {
    process.stderr.write(`tools: --phase must be one of ${phases.join(', ')} (got ${JSON.stringify(phase)})\n`);
    return 2;
  }
  const named = positionals.length > 0 ? (positionals as UpstreamKey[]) : keys;
  const wanted = phase === undefined ? named : named.filter((k) => UPSTREAM[k].phase === phase);
  if (values.list) {
    for (const k of wanted) process.stdout.write(`${k}\t${UPSTREAM[k].release}\t${UPSTREAM[k].module}@${UPSTREAM[k].moduleVersion}\t${programDir(k)}/bin\n`);
    return 0;
  }
  const go = goVersion();
  const started = Date.now();
  fs.mkdirSync(cacheDir(), { recursive: true });
  log(`cache ${cacheDir()} (${go})`);
  for (const k of wanted) await build(k, go);
  log(`${phase === undefined ? 'all ' : ''}${wanted.length} programs${phase === undefined ? '' : ` of phase ${phase}`} ready in ${Math.round((Date.now() - started) / 1000)} s`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`tools: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
