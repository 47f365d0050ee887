/** docs/metrics.md: the catalog as a reference table, so docs cannot drift from the code. */
import type { MetricSpec } from '../catalog/types';
import type { StackConfig } from '../stacks/config/schema';
import type { Artifact, RenderContext } from './artifact';
import { remoteWriteConfigs } from './remoteWrite';

/** Whether the stack runs what a metric needs to exist (MetricSpec.requires). */
export function stackExposes(config: StackConfig, m: MetricSpec): boolean {
  return m.requires !== 'remoteWrite' || remoteWriteConfigs(config).length > 0;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function catalogDocArtifact(ctx: RenderContext): Artifact {
  const lines = [
    `# Metrics catalog (stack ${ctx.config.stack})`,
    '',
    'Generated from `catalog/` by `npm run render`. Target labels `job`, `instance` and `service` are added by scraping.',
    '',
    '| metric | type | unit | source | labels | help |',
    '|---|---|---|---|---|---|',
  ];
  const sorted = ctx.catalog.metrics.filter((m) => stackExposes(ctx.config, m)).sort((a, b) => a.name.localeCompare(b.name));
  for (const m of sorted) {
    const labels = Object.entries(m.labels)
      .map(([name, l]) => (l.values ? `${name} (${l.values.join(', ')})` : name))
      .join(', ');
    lines.push(`| \`${m.name}\` | ${m.type} | ${m.unit} | ${m.source} | ${cell(labels) || '-'} | ${cell(m.help)} |`);
  }
  const buckets = sorted.filter((m) => m.buckets);
  if (buckets.length > 0) {
    lines.push('', '## Histogram buckets', '');
    for (const m of buckets) lines.push(`- \`${m.name}\`: ${m.buckets!.join(', ')}`);
  }
  return { path: 'docs/metrics.md', content: `${lines.join('\n')}\n` };
}
