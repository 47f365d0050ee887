/**
 * Prometheus rule files: one file per rule group under prometheus/rules/. Every expression is
 * checked against the catalog, and for divisions by what may be zero, before it is written.
 */
import { checkGuardedDivision } from '../catalog/checkDivision';
import { checkQuery } from '../catalog/checkQuery';
import { recordingRuleGroups } from '../catalog/recorded';
import type { Artifact, RenderContext } from '../generators/artifact';
import { generatedHeader, toYaml } from '../generators/yaml';
import { alertRuleGroups } from './index';
import type { PromRuleGroup } from './types';

export type { PromRule, PromRuleGroup } from './types';

export const RULES_DIR = 'prometheus/rules';

export function ruleFilePath(groupName: string): string {
  return `${RULES_DIR}/${groupName}.yml`;
}

/** Recording groups with their expressions rendered to PromQL text. */
export function recordingGroups(ctx: RenderContext): PromRuleGroup[] {
  return recordingRuleGroups(ctx.config.slo).map((g) => ({
    name: g.name,
    rules: g.rules.map((r) => (r.labels ? { record: r.record, expr: r.expr.toString(), labels: r.labels } : { record: r.record, expr: r.expr.toString() })),
  }));
}

function checkGroup(ctx: RenderContext, group: PromRuleGroup): void {
  for (const r of group.rules) {
    const where = `rule group ${group.name}, ${r.record ? `record ${r.record}` : `alert ${r.alert}`}`;
    checkQuery(ctx.catalog, r.expr, where);
    checkGuardedDivision(r.expr, where);
  }
}

export function renderRuleGroup(ctx: RenderContext, group: PromRuleGroup): Artifact {
  checkGroup(ctx, group);
  // Rule order matters (later recording rules read earlier ones), so only keys are sorted.
  const content = toYaml({ groups: [group] }, generatedHeader(ctx.config.stack, 'catalog/ and alerts/'));
  return { path: ruleFilePath(group.name), content };
}

/** Recording groups first: promtool unit tests evaluate groups in this order. */
export function allRuleGroups(ctx: RenderContext): PromRuleGroup[] {
  return [...recordingGroups(ctx), ...alertRuleGroups(ctx)];
}

/** All rule files of a stack. */
export function ruleArtifacts(ctx: RenderContext): Artifact[] {
  return allRuleGroups(ctx).map((g) => renderRuleGroup(ctx, g));
}
