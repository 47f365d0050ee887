/** docs/input-checks.md lists every check of the bad-input corpus with its message. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_CASES } from './corpus/configCases';
import { REPO } from './helpers';

const doc = fs.readFileSync(path.join(REPO, 'docs', 'input-checks.md'), 'utf8');

describe('docs/input-checks.md', () => {
  it.each(CONFIG_CASES.map((c) => [c.name, c.message] as const))('lists "%s" with its message', (name, message) => {
    const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`));
    expect(row, `no row for ${name}`).toBeDefined();
    // backticks in messages are written as ' inside the table's code spans
    expect(row).toContain(`\`${message.replace(/^stack [^:]+: /, '').replace(/\|/g, '\\|').replace(/`/g, "'")}\``);
  });
});
