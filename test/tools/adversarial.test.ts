/**
 * The adversarial suite (alerts/adversarial.ts) with the real promtool, against the committed
 * rules of every stack: each scenario is one `promtool test rules` run, so a failure names the
 * stack, the alert, the kind of awkward data and the scenario.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adversarialScenarios, adversarialTestFile, type Awkwardness } from '../../alerts/adversarial';
import { resolveAlerts } from '../../alerts/index';
import { RULES_DIR } from '../../alerts/ruleFiles';
import { getCatalog } from '../../catalog';
import type { RenderContext } from '../../generators/artifact';
import { listStacks, loadStackConfigFile } from '../../stacks/config/fromYaml';
import { REPO, cleanedTempDir } from '../helpers';
import { requireTool, runTool } from '../tools';

/** Scratch directories of this file, removed when its tests are done. */
const tempDir = cleanedTempDir();

const KINDS: readonly Awkwardness[] = [
  'series born inside the window',
  'counter reset',
  'scrape gap',
  'numerator series never appears',
  'all targets of a job vanish',
  'traffic around the guard',
  'busy and quiet period in one window',
];

/** The 6h SLO scenarios simulate six hours of rule evaluations. */
const SCENARIO_TIMEOUT = 120_000;

describe.each(listStacks(REPO))('stack %s: every alert survives awkward data', (stack) => {
  const ctx: RenderContext = { config: loadStackConfigFile(REPO, stack), catalog: getCatalog(), options: {} };
  const rulesDir = path.join(REPO, 'generated', stack, RULES_DIR);
  const scenarios = adversarialScenarios(ctx);

  it('covers every kind of awkward data, and every target-absence alert of the stack', () => {
    expect(new Set(scenarios.map((s) => s.awkwardness))).toEqual(new Set(KINDS));
    const absence = resolveAlerts(ctx).filter((a) => a.def.expr.toString().startsWith('absent(up'));
    expect(absence.length).toBe(ctx.config.apps.length + (ctx.config.exporters.postgres.enabled ? 1 : 0) + (ctx.config.exporters.redis.enabled ? 1 : 0) + (ctx.config.exporters.node.enabled ? 1 : 0) + (ctx.config.uptime.enabled ? 1 : 0) + (ctx.config.longTermStorage?.kind === 'thanos' ? 2 : 0) + 1);
    for (const a of absence) expect(scenarios.filter((s) => s.alert === a.def.name && s.awkwardness === 'all targets of a job vanish').length, a.def.name).toBeGreaterThan(0);
  });

  it.each(scenarios.map((s) => [`${s.alert} (${s.awkwardness}): ${s.name}`, s] as const))('%s', (title, scenario) => {
    requireTool('promtool');
    const work = tempDir(`adversarial-${stack}`);
    const file = path.join(work, 'scenario.test.yml');
    fs.writeFileSync(file, adversarialTestFile(ctx, scenario, (group) => path.join(rulesDir, `${group}.yml`)));
    const r = runTool('promtool', ['test', 'rules', file]);
    const expected = scenario.checks.map((c) => `${c.atMinutes}m: ${c.firing.length === 0 ? 'quiet' : `firing ${JSON.stringify(c.firing)}`}`).join(', ');
    expect(r.code, `stack ${stack}: ${title}\nexpected ${expected}\n${r.output}`).toBe(0);
  }, SCENARIO_TIMEOUT);
});
