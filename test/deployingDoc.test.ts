/** docs/deploying.md: its kubectl commands work for every stack, not only one whose namespace is `observatory`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStackConfigFile } from '../stacks/config/fromYaml';
import { REPO, config } from './helpers';

const doc = fs.readFileSync(path.join(REPO, 'docs', 'deploying.md'), 'utf8');

describe('docs/deploying.md', () => {
  it('every kubectl command takes the namespace from the stack ($NS or <namespace>), never a literal one', () => {
    const namespaces = [...doc.matchAll(/kubectl -n (\S+)/g)].map((m) => m[1]);
    expect(namespaces.length).toBeGreaterThanOrEqual(4);
    for (const ns of namespaces) expect(['"$NS"', '<namespace>']).toContain(ns);
    // staging does not use the default, so a literal `observatory` would point at nothing there
    expect(loadStackConfigFile(REPO, 'staging').namespace).not.toBe('observatory');
  });

  it('$NS is observatory:namespace, falling back to the schema default when the stack does not set it', () => {
    const lines = [...doc.matchAll(/^NS=\$\(pulumi config get (\S+) 2>\/dev\/null \|\| echo (\S+)\)$/gm)];
    expect(lines.length).toBeGreaterThanOrEqual(1);
    for (const [, key, fallback] of lines) {
      expect(key).toBe('observatory:namespace');
      expect(fallback).toBe(config({}).namespace);
    }
  });
});
