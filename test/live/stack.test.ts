/**
 * The rendered dev stack against real Prometheus, Alertmanager, exporters, PostgreSQL, Redis and
 * the demo app (live/stack.ts starts them all on 127.0.0.1 and stops them in afterAll). Every wait
 * polls with a deadline; a failure names what was still missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakDashboard, breakRule } from '../../live/breakArtifacts';
import {
  checkAlertSelectors, checkDashboard, checkRecordingRules, formatProblems, liveQueries, type CheckResult, type QuerySource, type RuleGroupSpec,
} from '../../live/checks';
import { done, notYet, pollUntil } from '../../live/poll';
import { startLiveStack, type LiveStack } from '../../live/stack';
import { requireTool } from '../tools';

/** How far back dashboard queries look: the whole run so far, like a "last 5 minutes" dashboard. */
const RANGE_SECONDS = 300;

let stack: LiveStack;
let q: QuerySource;
const started = Date.now();
const log = (line: string) => process.stdout.write(`[live ${((Date.now() - started) / 1000).toFixed(1)}s] ${line}\n`);

/** Polls a check until it reports no problems; the deadline error lists the problems left. */
async function untilClean(what: string, check: () => Promise<CheckResult>, timeoutMs = 60_000): Promise<CheckResult> {
  return pollUntil(
    what,
    async () => {
      const r = await check();
      return r.problems.length === 0 ? done(r) : notYet(`${r.problems.length} problem(s):\n${formatProblems(r.problems)}`);
    },
    { timeoutMs, intervalMs: 1000 },
  );
}

beforeAll(async () => {
  for (const bin of ['prometheus', 'prometheus-alertmanager', 'prometheus-postgres-exporter', 'prometheus-redis-exporter', 'prometheus-node-exporter', 'redis-server']) {
    requireTool(bin);
  }
  stack = await startLiveStack({ log });
  q = liveQueries(stack.prom, RANGE_SECONDS, stack.intervalSeconds);
  log(`up: ${Object.entries(stack.urls).map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

afterAll(async () => {
  const stats = await stack?.stop();
  if (stats) log(`traffic: ${stats.requests} requests, ${stats.non2xx} non-2xx, ${stats.errors} connection errors`);
  log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

describe('live stack', () => {
  it('scrapes every rendered job, and every target is up with its backend reachable', async () => {
    const rendered = yaml.load(fs.readFileSync(path.join(stack.rendered.dir, 'prometheus', 'prometheus.yml'), 'utf8')) as { scrape_configs: { job_name: string }[] };
    const jobs = rendered.scrape_configs.map((j) => j.job_name).sort();
    expect(jobs.length).toBeGreaterThan(0);
    await pollUntil(
      'every target up',
      async () => {
        const targets = await stack.prom.targets();
        const pools = [...new Set(targets.map((t) => t.scrapePool))].sort();
        if (pools.join() !== jobs.join()) return notYet(`scrape pools ${pools.join(', ')} differ from the rendered jobs ${jobs.join(', ')}`);
        const down = targets.filter((t) => t.health !== 'up');
        return down.length === 0 ? done(targets) : notYet(down.map((t) => `${t.scrapePool} ${t.scrapeUrl}: ${t.health} ${t.lastError}`).join('; '));
      },
      { timeoutMs: 30_000 },
    );
    // `up` only says the exporter answered; pg_up/redis_up say it reached its database.
    for (const expr of ['pg_up == 1', 'redis_up == 1']) {
      await pollUntil(expr, async () => ((await stack.prom.query(expr)).length > 0 ? done(true) : notYet('no series')), { timeoutMs: 20_000 });
    }
  });

  it('loads every rendered rule, and every rule evaluates without error', async () => {
    const renderedRules = stack.rendered.ruleGroups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.record ?? r.alert}`)).sort();
    expect(renderedRules.length).toBeGreaterThan(0);
    await pollUntil(
      'rules healthy',
      async () => {
        const groups = await stack.prom.rules();
        const loaded = groups.flatMap((g) => g.rules.map((r) => `${g.name}/${r.name}`)).sort();
        if (loaded.join() !== renderedRules.join()) return notYet(`Prometheus has ${loaded.length} rules, render wrote ${renderedRules.length}`);
        const bad = groups.flatMap((g) => g.rules.filter((r) => r.health !== 'ok').map((r) => `${g.name}/${r.name}: ${r.health} ${r.lastError ?? ''}`));
        return bad.length === 0 ? done(true) : notYet(bad.join('; '));
      },
      { timeoutMs: 30_000 },
    );
  });

  it('every recording rule produces series', async () => {
    const r = await untilClean('every recording rule produces series', () => checkRecordingRules(stack.rendered.ruleGroups, q));
    expect(r.checked).toBe(stack.rendered.ruleGroups.flatMap((g) => g.rules.filter((x) => x.record)).length);
  });

  it('every panel query and template variable of every rendered dashboard returns data', async () => {
    const time = { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS };
    for (const d of stack.rendered.dashboards) {
      const r = await untilClean(`dashboard ${d.file} has data`, () => checkDashboard(d.json, q, time));
      expect(r.checked, `${d.file} has queries`).toBeGreaterThan(0);
    }
  });

  it('names the dashboard panel and the selector when a dashboard queries a series that does not exist', async () => {
    const time = { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS };
    for (const d of stack.rendered.dashboards) {
      const broken = breakDashboard(d.json);
      expect(broken, `${d.file} has a panel with a selector`).toBeDefined();
      const r = await checkDashboard(broken!.dashboard, q, time);
      expect(r.problems.length, formatProblems(r.problems)).toBeGreaterThan(0);
      const text = formatProblems(r.problems);
      expect(text).toContain(`panel "${broken!.panelTitle}"`);
      expect(text).toContain(broken!.breakage.broken);
    }
  });

  it('names the rule and the selector when a recording rule reads a series that does not exist', async () => {
    const group = stack.rendered.ruleGroups.find((g) => g.rules.some((r) => r.record));
    const broken = breakRule(group!.rules.find((r) => r.record)!)!;
    const brokenGroup: RuleGroupSpec = { file: 'prometheus/rules/live-broken.yml', name: 'live-broken', rules: [broken.rule] };
    const file = path.join(path.dirname(stack.prometheus.configFile), 'rules', 'live-broken.yml');
    fs.writeFileSync(file, yaml.dump({ groups: [{ name: brokenGroup.name, rules: [broken.rule] }] }));
    try {
      await stack.prometheus.reload();
      // Wait until Prometheus has evaluated the broken rule at least once, so "no series" is real.
      await pollUntil(
        'broken rule evaluated',
        async () => {
          const g = (await stack.prom.rules()).find((x) => x.name === brokenGroup.name);
          return g && g.rules[0]?.health === 'ok' ? done(true) : notYet(`group ${brokenGroup.name}: ${g ? g.rules[0]?.health : 'not loaded'}`);
        },
        { timeoutMs: 20_000 },
      );
      const r = await checkRecordingRules([brokenGroup], q);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0].where).toContain(`record ${broken.rule.record}`);
      expect(r.problems[0].message).toContain(broken.breakage.broken);
    } finally {
      fs.rmSync(file);
      await stack.prometheus.reload();
    }
  });

  it('names the alert and the selector when an alert rule selects a series that does not exist', async () => {
    const group = stack.rendered.ruleGroups.find((g) => g.rules.some((r) => r.alert));
    expect(group, 'rendered alert rules').toBeDefined();
    const broken = breakRule(group!.rules.find((r) => r.alert)!)!;
    const r = await checkAlertSelectors([{ ...group!, rules: [broken.rule] }], q);
    expect(r.problems.map((p) => `${p.where}: ${p.message}`)).toEqual([
      `rule file ${group!.file}, group ${group!.name}, alert ${broken.rule.alert}: selector ${broken.breakage.broken} matches no series`,
    ]);
  });

  it('exports the demo app traces over OTLP', async () => {
    const services = stack.rendered.config.apps.map((a) => a.name).sort();
    await pollUntil(
      'traces from every app',
      async () => {
        const seen = [...new Set(stack.receiver.traceExports.filter((t) => t.spans > 0).flatMap((t) => t.serviceNames))].sort();
        return seen.join() === services.join() ? done(true) : notYet(`spans from ${seen.join(', ') || 'no app'}`);
      },
      { timeoutMs: 30_000 },
    );
  });

  it('keeps the data written before a Prometheus restart', async () => {
    const before = Date.now() / 1000;
    const expr = 'count_over_time(up[1m])';
    const key = (m: Readonly<Record<string, string>>) => `${m.job} ${m.instance}`;
    const asMap = (samples: { metric: Readonly<Record<string, string>>; value: number }[]) => Object.fromEntries(samples.map((s) => [key(s.metric), s.value]));
    const written = asMap(await stack.prom.query(expr, before));
    expect(Object.keys(written).length).toBeGreaterThan(0);
    expect(Math.min(...Object.values(written))).toBeGreaterThan(1);
    await stack.prometheus.restart();
    const afterRestart = asMap(await stack.prom.query(expr, before));
    expect(afterRestart).toEqual(written);
    // And it keeps scraping: new samples arrive after the restart.
    const restartedAt = Date.now() / 1000;
    await pollUntil(
      'samples after the restart',
      async () => ((await stack.prom.query(`up and timestamp(up) > ${restartedAt}`)).length > 0 ? done(true) : notYet('no sample newer than the restart')),
      { timeoutMs: 20_000 },
    );
  });
});
