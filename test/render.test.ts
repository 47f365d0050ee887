import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { render } from '../cli/render';
import { listFiles } from '../render/renderFiles';
import { renderStack } from '../render/renderStack';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { SECRET_KEYS } from '../stacks/config/secrets';
import { REPO, tempDir } from './helpers';

/** A scratch project root holding copies of the stack files. */
function scratchRoot(files: Record<string, string> = {}): string {
  const root = tempDir('render');
  for (const f of fs.readdirSync(REPO).filter((n) => /^Pulumi\.[a-z]+\.yaml$/.test(n))) fs.copyFileSync(path.join(REPO, f), path.join(root, f));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(root, name), text);
  return root;
}

function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(listFiles(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
}

describe('render', () => {
  it('is deterministic: rendering twice gives the same bytes', async () => {
    const root = scratchRoot();
    const lines: string[] = [];
    expect(await render([], root, (l) => lines.push(l))).toBe(0);
    const first = snapshot(path.join(root, 'generated'));
    expect(await render([], root, () => {})).toBe(0);
    expect(snapshot(path.join(root, 'generated'))).toEqual(first);
    expect(Object.keys(first)).toContain('dev/prometheus/prometheus.yml');
    expect(lines.every((l) => l.startsWith('rendered '))).toBe(true);
  });

  it('the committed generated/ is up to date (the golden files)', async () => {
    const lines: string[] = [];
    const code = await render(['--check'], REPO, (l) => lines.push(l));
    expect(lines.join('\n')).toMatch(/up to date/);
    expect(code).toBe(0);
  });

  it('--check lists every stale, missing and extra file and exits 1', async () => {
    const root = scratchRoot();
    await render([], root, () => {});
    const gen = path.join(root, 'generated');
    fs.appendFileSync(path.join(gen, 'dev/prometheus/prometheus.yml'), '# edited by hand\n');
    fs.rmSync(path.join(gen, 'prod/docs/metrics.md'));
    fs.writeFileSync(path.join(gen, 'staging/leftover.json'), '{}');
    const lines: string[] = [];
    expect(await render(['--check'], root, (l) => lines.push(l))).toBe(1);
    expect(lines.slice(0, 3).sort()).toEqual([
      'extra: generated/staging/leftover.json',
      'missing: generated/prod/docs/metrics.md',
      'stale: generated/dev/prometheus/prometheus.yml',
    ]);
  });

  it('never writes a secret value, only placeholders', () => {
    for (const stack of ['dev', 'staging', 'prod']) {
      const text = renderStack(loadStackConfigFile(REPO, stack)).map((a) => a.content).join('\n');
      expect(text).not.toMatch(/secure:|v1:[A-Za-z0-9+/]{8}/);
    }
    expect(SECRET_KEYS.length).toBeGreaterThan(0);
  });
});
