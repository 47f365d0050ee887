/**
 * The rendered dev stack against real Prometheus, Alertmanager, exporters, PostgreSQL, Redis and
 * the demo app (live/stack.ts starts them all on 127.0.0.1 and stops them in afterAll). Every wait
 * polls with a deadline; a failure names what was still missing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DASHBOARD_UIDS } from '../../dashboards/uids';
import { breakDashboard, breakPanelQuery, breakRule } from '../../live/breakArtifacts';
import {
  checkAlertSelectors, checkDashboard, checkPanelQuery, checkRecordingRules, formatProblems, liveQueries, resolveVariables,
  type CheckResult, type QuerySource, type RuleGroupSpec,
} from '../../live/checks';
import { builtinVariables, dashboardUid, interpolate, panelQueries } from '../../live/grafanaQueries';
import { SEQ_SCANNED_TABLE, SLOW_STATEMENT_MARKER, UNUSED_INDEX } from '../../live/dbWorkload';
import { NO_FAULTS } from '../../live/demoApp';
import { LIVE_TLS_URL } from '../../live/stackFile';
import { deliveriesOf, receiversOf, type Delivery, type ReceiverSummary } from '../../live/notifications';
import { done, notYet, pollUntil } from '../../live/poll';
import { startLiveStack, type LiveStack } from '../../live/stack';
import { jaegerServices, jaegerTrace, jaegerTraces } from '../../live/services/jaeger';
import { parseExposition } from '../../live/exposition';
import { ALL_METRICS } from '../../catalog';
import * as app from '../../catalog/application';
import { SCRAPE_SERIES_NAMES } from '../../catalog/selfMonitoring';
import { stackExposes } from '../../generators/catalogDocs';
import { secretPlaceholder } from '../../stacks/config/secrets';
import { requireTool } from '../tools';

/** How far back dashboard queries look: the whole run so far, like a "last 5 minutes" dashboard. */
const RANGE_SECONDS = 300;
/**
 * Every alert's `for` in this run (render --alert-for); the real ones are minutes. Long enough to
 * be a real pending phase (10 evaluations at 2 s), short enough for the CI budget.
 */
const ALERT_FOR = '20s';
/** The always-firing alert the dead man's switch expects (alerts/selfMonitoring.ts). */
const WATCHDOG = 'Watchdog';
/** The faults and the critical alert each must raise: a page (PagerDuty) and a Slack post. */
const FAULT_ALERTS = {
  errors: { alert: 'HttpErrorRateHigh', severity: 'critical' },
  latency: { alert: 'HttpLatencyP95High', severity: 'critical' },
  redis: { alert: 'RedisDown', severity: 'critical' },
} as const;
/** A share of requests fail with 500 and another share takes 1.5 s: both well past the thresholds. */
const APP_FAULTS = { errorRatio: 0.3, slowRatio: 0.25, slowSeconds: 1.5 };
/** Time from a fault to its notification: `for`, rule evaluation, group_wait, with room for a slow CI. */
const NOTIFY_TIMEOUT_MS = 90_000;

let stack: LiveStack;
let q: QuerySource;
let alertNames: string[] = [];
/** Receivers of the rendered alertmanager.yml: who pages, who is the dead man's switch. */
let receivers: ReceiverSummary[] = [];
let failed = false;
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

/** The one receiver that pages (has PagerDuty): every integration of it gets the critical alerts. */
function pageDeliveries(severity: string): Delivery[] {
  const paging = receivers.filter((r) => r.integrations.includes('pagerduty'));
  expect(paging.map((r) => r.name), 'receivers with PagerDuty').toHaveLength(1);
  expect(paging[0].integrations, `integrations of ${paging[0].name}`).toEqual(['pagerduty', 'slack']);
  return paging[0].integrations.map((integration) => ({ receiver: paging[0].name, integration, severity }));
}

/** The receiver posting to the dead man's switch URL. */
function deadMansSwitch(): string {
  const r = receivers.filter((x) => x.webhookUrls.includes(secretPlaceholder('deadMansSwitchUrl')));
  expect(r.map((x) => x.name), "receivers with the dead man's switch URL").toHaveLength(1);
  return r[0].name;
}

/** A problem message naming a selector of the given metric. */
function namesSelectorOf(metric: string): RegExp {
  return new RegExp(`selector.* ${metric.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\{|,|\\s|$)`);
}

/** State of an alerting rule in Prometheus: inactive, pending or firing. */
async function alertState(name: string): Promise<string> {
  const rule = (await stack.prom.rules()).flatMap((g) => g.rules).find((r) => r.type === 'alerting' && r.name === name);
  if (!rule) throw new Error(`Prometheus has no alert ${name}`);
  return rule.state ?? 'unknown';
}

/** Waits until every expected delivery of the alert has arrived, then returns all of them. */
async function delivered(alert: string, expected: readonly Delivery[]): Promise<Delivery[]> {
  const key = (d: Delivery) => `${d.receiver}/${d.integration}`;
  return pollUntil(
    `${alert} notified`,
    async () => {
      const got = deliveriesOf(stack.receiver.notifications, alert, alertNames);
      const missing = expected.filter((e) => !got.some((g) => key(g) === key(e)));
      if (missing.length === 0) return done(got);
      return notYet(`no notification yet on ${missing.map(key).join(', ')}; Prometheus state: ${await alertState(alert)}; so far: ${got.map(key).join(', ') || 'none'}`);
    },
    { timeoutMs: NOTIFY_TIMEOUT_MS, intervalMs: 1000 },
  );
}

beforeAll(async () => {
  for (const bin of ['prometheus', 'alertmanager', 'postgres_exporter', 'redis_exporter', 'node_exporter', 'blackbox_exporter', 'jaeger', 'redis-server']) {
    requireTool(bin);
  }
  stack = await startLiveStack({ log, alertFor: ALERT_FOR });
  q = liveQueries(stack.prom, RANGE_SECONDS, stack.intervalSeconds);
  receivers = receiversOf(yaml.load(fs.readFileSync(path.join(stack.rendered.dir, 'alertmanager', 'alertmanager.yml'), 'utf8')));
  alertNames = stack.rendered.ruleGroups.flatMap((g) => g.rules.map((r) => r.alert).filter((a): a is string => a !== undefined));
  log(`up: ${Object.entries(stack.urls).map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

beforeEach((ctx) => {
  ctx.onTestFailed(() => {
    failed = true;
  });
});

afterAll(async () => {
  if (failed && stack) {
    // Keep the run directory and show the end of every log, so a CI failure can be read.
    for (const p of stack.supervisor.all) log(`--- ${p.name} (${p.exitDescription ?? 'running'}), ${p.logFile}:\n${p.logTail(15)}`);
  }
  const stats = await stack?.stop({ keepFiles: failed });
  if (failed && stack) log(`run directory kept: ${stack.dir}`);
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

  it('the running exporters, Prometheus and Alertmanager expose every catalog metric of theirs, with its type and labels', async () => {
    const sources: Record<string, string> = {
      postgres_exporter: `http://${stack.exporters.postgres.address}/metrics`,
      redis_exporter: `http://${stack.exporters.redis.address}/metrics`,
      node_exporter: `http://${stack.exporters.node.address}/metrics`,
      prometheus: `${stack.prometheus.url}/metrics`,
      alertmanager: `${stack.alertmanager.url}/metrics`,
      // A probe of the https URL returns every probe family the catalog has, the certificate's expiry included.
      blackbox_exporter: `http://${stack.exporters.blackbox.address}/probe?module=http_200_insecure&target=${encodeURIComponent(`https://127.0.0.1:${stack.tls.port}/`)}`,
    };
    const exposed = new Map<string, Map<string, { type: string; labels: readonly string[] }>>();
    for (const [source, url] of Object.entries(sources)) {
      const text = await (await fetch(url)).text();
      exposed.set(source, new Map(parseExposition(text).map((f) => [f.name, { type: f.type, labels: f.labels }])));
    }
    const synthetic = SCRAPE_SERIES_NAMES;
    const problems: string[] = [];
    // Remote-write families exist only where a queue runs (MetricSpec.requires); the live stack has none.
    for (const m of ALL_METRICS.filter((x) => x.source !== 'application' && !synthetic.has(x.name) && stackExposes(stack.rendered.config, x))) {
      const family = exposed.get(m.source)?.get(m.name);
      if (!family) problems.push(`${m.name}: not exposed by the running ${m.source}`);
      else if (family.type !== m.type) problems.push(`${m.name}: ${m.source} says ${family.type}, the catalog ${m.type}`);
      else if (family.labels.join() !== Object.keys(m.labels).sort().join()) problems.push(`${m.name}: ${m.source} labels {${family.labels.join(',')}}, the catalog {${Object.keys(m.labels).sort().join(',')}}`);
    }
    expect(problems).toEqual([]);
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

  it('renders the expected alerts with their severities, quiet while the stack is healthy', async () => {
    const rules = stack.rendered.ruleGroups.flatMap((g) => g.rules);
    for (const f of [...Object.values(FAULT_ALERTS), { alert: WATCHDOG, severity: 'none' }]) {
      const rule = rules.find((r) => r.alert === f.alert);
      expect(rule, `alert ${f.alert} is rendered`).toBeDefined();
      expect(rule!.labels?.severity, `severity of ${f.alert}`).toBe(f.severity);
      expect(rule!.for, `--alert-for reached ${f.alert}`).toBe(ALERT_FOR);
    }
    for (const f of Object.values(FAULT_ALERTS)) expect(await alertState(f.alert), `${f.alert} before any fault`).toBe('inactive');
  });

  it('a burst of 5xx and slow responses put the error-rate and latency alerts into pending', async () => {
    await stack.setFaults(APP_FAULTS);
    for (const f of [FAULT_ALERTS.errors, FAULT_ALERTS.latency]) {
      await pollUntil(`${f.alert} pending or firing`, async () => {
        const state = await alertState(f.alert);
        return state === 'inactive' ? notYet(state) : done(state);
      }, { timeoutMs: 45_000, intervalMs: 1000 });
    }
  });

  it('every recording rule produces series', async () => {
    const r = await untilClean('every recording rule produces series', () => checkRecordingRules(stack.rendered.ruleGroups, q));
    expect(r.checked).toBe(stack.rendered.ruleGroups.flatMap((g) => g.rules.filter((x) => x.record)).length);
  });

  it('every panel query and template variable of every rendered dashboard returns data', async () => {
    expect(stack.rendered.dashboards.map((d) => dashboardUid(d.json)).sort()).toEqual(Object.values(DASHBOARD_UIDS).sort());
    const time = { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS };
    for (const d of stack.rendered.dashboards) {
      const r = await untilClean(`dashboard ${d.file} has data`, () => checkDashboard(d.json, q, time));
      expect(r.checked, `${d.file} has queries`).toBeGreaterThan(0);
    }
  });

  it('every vector selector of every alert rule matches series', async () => {
    const r = await untilClean('every alert selector matches', () => checkAlertSelectors(stack.rendered.ruleGroups, q));
    expect(r.checked).toBeGreaterThan(alertNames.length - 1);
  });

  it('names the dashboard panel and the selector when a dashboard queries a series that does not exist', async () => {
    const time = { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS };
    for (const d of stack.rendered.dashboards) {
      const broken = breakDashboard(d.json);
      expect(broken, `${d.file} has a panel with a selector`).toBeDefined();
      const r = await checkDashboard(broken!.dashboard, q, time);
      // One problem, naming the panel and the selector (with the variables Grafana substituted).
      expect(r.problems, formatProblems(r.problems)).toHaveLength(1);
      expect(r.problems[0].where).toContain(`dashboard ${dashboardUid(d.json)} panel "${broken!.panelTitle}"`);
      expect(r.problems[0].message).toMatch(namesSelectorOf(broken!.breakage.metric));
    }
  });

  it('catches a misspelled metric in every single panel query of every dashboard', async () => {
    const time = { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS };
    let broken = 0;
    for (const d of stack.rendered.dashboards) {
      const { values } = await resolveVariables(d.json, q, time);
      for (const pq of panelQueries(d.json)) {
        const b = breakPanelQuery(pq);
        if (!b) continue;
        broken++;
        const problems = await checkPanelQuery(b.query, values, q);
        expect(problems.length, `${pq.dashboardUid} "${pq.panelTitle}" ${pq.refId} with ${b.breakage.broken}`).toBe(1);
        expect(problems[0].where).toContain(`panel "${pq.panelTitle}"`);
        expect(problems[0].message).toMatch(namesSelectorOf(b.breakage.metric));
      }
    }
    expect(broken).toBeGreaterThan(stack.rendered.dashboards.length);
  });

  it('catches a misspelled metric in every single rule', async () => {
    for (const g of stack.rendered.ruleGroups) {
      for (const rule of g.rules) {
        const b = breakRule(rule);
        if (!b) continue;
        const check = rule.record ? checkRecordingRules : checkAlertSelectors;
        const r = await check([{ ...g, rules: [b.rule] }], q);
        const name = rule.record ? `record ${b.rule.record}` : `alert ${rule.alert}`;
        expect(r.problems.length, `${g.name} ${name}: ${formatProblems(r.problems)}`).toBe(1);
        expect(r.problems[0].where).toContain(`group ${g.name}, ${name}`);
        expect(r.problems[0].message).toMatch(namesSelectorOf(b.breakage.metric));
      }
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

  it('stopping Redis fires the Redis alert', async () => {
    await stack.redis.process.stop();
    await pollUntil('redis_up == 0', async () => ((await stack.prom.query('redis_up == 0')).length > 0 ? done(true) : notYet('redis_up is not 0')), { timeoutMs: 20_000 });
    await pollUntil(`${FAULT_ALERTS.redis.alert} pending or firing`, async () => {
      const state = await alertState(FAULT_ALERTS.redis.alert);
      return state === 'inactive' ? notYet(state) : done(state);
    }, { timeoutMs: 20_000 });
  });

  it('the Watchdog reaches the dead man\'s switch, and only it', async () => {
    const expected = [{ receiver: deadMansSwitch(), integration: 'webhook', severity: 'none' }];
    expect(await delivered(WATCHDOG, expected)).toEqual(expected);
  });

  for (const [fault, f] of Object.entries(FAULT_ALERTS)) {
    it(`the ${fault} fault reaches the on-call: ${f.alert} is paged and posted to Slack as ${f.severity}`, async () => {
      const expected = pageDeliveries(f.severity);
      expect(await delivered(f.alert, expected)).toEqual(expected);
      const inAm = (await stack.am.alerts()).filter((a) => a.labels.alertname === f.alert);
      expect(inAm.length, `${f.alert} in Alertmanager`).toBeGreaterThan(0);
      for (const a of inAm) {
        expect(a.labels.severity).toBe(f.severity);
        expect(a.receivers.map((r) => r.name)).toEqual([expected[0].receiver]);
      }
    });
  }

  it('delivered every notification: no integration failed and no request went astray', async () => {
    const failed = await stack.prom.query('sum by (integration) (alertmanager_notifications_failed_total) > 0');
    expect(failed.map((s) => s.metric.integration)).toEqual([]);
    const sent = await stack.prom.query('sum(alertmanager_notifications_total)');
    expect(sent[0]?.value ?? 0).toBeGreaterThan(0);
    expect(stack.receiver.unexpectedRequests).toEqual([]);
  });

  it('exports the demo app traces over OTLP to Jaeger, which finds them by service', async () => {
    const services = stack.rendered.config.apps.map((a) => a.name).sort();
    await pollUntil(
      'traces from every app in Jaeger',
      async () => {
        const seen = (await jaegerServices(stack.jaeger)).filter((s) => services.includes(s)).sort();
        return seen.join() === services.join() ? done(true) : notYet(`Jaeger lists spans of ${seen.join(', ') || 'no app'}`);
      },
      { timeoutMs: 30_000 },
    );
    for (const service of services) {
      const traces = await jaegerTraces(stack.jaeger, service);
      expect(traces.length, `traces of ${service}`).toBeGreaterThan(0);
      // A request trace: a server span with its HTTP route, as a runbook's "open a slow trace" needs.
      const spans = traces.flatMap((t) => t.spans);
      expect(spans.some((s) => (s.tags ?? []).some((t) => t.key === 'http.route' || t.key === 'http.target' || t.key === 'url.path')), `an HTTP span of ${service}`).toBe(true);
    }
  });

  it('links slow requests to their traces: the exemplars Prometheus keeps name traces Jaeger has', async () => {
    // What the "Slow requests, with traces" panel asks Prometheus for, and where its dots lead.
    const overview = stack.rendered.dashboards.find((d) => dashboardUid(d.json) === DASHBOARD_UIDS.serviceOverview)!;
    type PanelJson = { title?: string; panels?: PanelJson[]; targets?: { expr: string; exemplar?: boolean }[] };
    const all = (ps: PanelJson[] = []): PanelJson[] => ps.flatMap((p) => [p, ...all(p.panels)]);
    const target = all((overview.json as PanelJson).panels).find((p) => p.title === 'Slow requests, with traces')!.targets![0];
    expect(target.exemplar).toBe(true);
    const expr = interpolate(target.expr, { ...builtinVariables({ scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS }), service: '.*' }, 'Slow requests, with traces');
    const label = app.http_request_duration_seconds.exemplarTraceLabel!;
    const end = Date.now() / 1000;
    const found = await pollUntil(
      'exemplars with trace IDs for every app',
      async () => {
        const series = await stack.prom.exemplars(expr, end - 600, Date.now() / 1000);
        const byService = new Map<string, string[]>();
        for (const s of series) for (const e of s.exemplars) if (e.labels[label]) byService.set(s.seriesLabels.service, [...(byService.get(s.seriesLabels.service) ?? []), e.labels[label]]);
        const services = stack.rendered.config.apps.map((a) => a.name);
        return services.every((sv) => byService.has(sv)) ? done(byService) : notYet(`exemplars for ${[...byService.keys()].join(', ') || 'no app'}`);
      },
      { timeoutMs: 30_000 },
    );
    for (const [service, ids] of found) {
      // Spans are batched before export: the trace may reach Jaeger a few seconds after the sample.
      const id = ids[0];
      const tr = await pollUntil(
        `trace ${id} of ${service} in Jaeger`,
        async () => {
          const t = await jaegerTrace(stack.jaeger, id);
          return t ? done(t) : notYet('not in Jaeger yet');
        },
        { timeoutMs: 20_000 },
      );
      expect(Object.values(tr.processes ?? {}).map((p) => p.serviceName)).toContain(service);
    }
  });

  /** A panel's first query with the dashboard's variables at All, as an instant query, largest value first. */
  async function panelTop(dashboardUidValue: string, title: string): Promise<{ metric: Readonly<Record<string, string>>; value: number }[]> {
    const d = stack.rendered.dashboards.find((x) => dashboardUid(x.json) === dashboardUidValue)!;
    const pq = panelQueries(d.json).find((p) => p.panelTitle === title);
    expect(pq, `panel "${title}"`).toBeDefined();
    const { values } = await resolveVariables(d.json, q, { scrapeIntervalSeconds: stack.intervalSeconds, rangeSeconds: RANGE_SECONDS });
    const expr = interpolate(pq!.expr, { ...values, pg_instance: '.*', database: '.+', service: '.*', __rate_interval: '30s' }, title);
    return [...(await stack.prom.query(expr))].sort((a, b) => b.value - a.value);
  }

  it('the Queries panels put the slow statement on top, the sequentially scanned table first and list the unused index', async () => {
    const uid = DASHBOARD_UIDS.databaseRedis;
    await pollUntil(
      'the workload ranked in the Queries panels',
      async () => {
        const byTotal = await panelTop(uid, 'Top statements by total time');
        const byMean = await panelTop(uid, 'Top statements by mean time');
        const tables = await panelTop(uid, 'Tables by rows read in sequential scans');
        const unused = await panelTop(uid, 'Unused indexes (zero scans since the stats reset)');
        const top = (s: typeof byTotal) => s[0]?.metric.query ?? s[0]?.metric.relname ?? 'nothing';
        if (!byTotal[0]?.metric.query?.includes(SLOW_STATEMENT_MARKER)) return notYet(`top statement by total time: ${top(byTotal)}`);
        if (!byMean[0]?.metric.query?.includes(SLOW_STATEMENT_MARKER)) return notYet(`top statement by mean time: ${top(byMean)}`);
        if (tables[0]?.metric.relname !== SEQ_SCANNED_TABLE) return notYet(`first table: ${top(tables)} (${tables.map((t) => t.metric.relname).join(', ')})`);
        if (!unused.some((i) => i.metric.indexrelname === UNUSED_INDEX)) return notYet(`unused indexes: ${unused.map((i) => i.metric.indexrelname).join(', ') || 'none'}`);
        return done(true);
      },
      { timeoutMs: 60_000, intervalMs: 2000 },
    );
    // pg_stat_statements is loaded, so the alert that names a missing one stays quiet.
    expect(await alertState('PostgresStatStatementsUnavailable')).toBe('inactive');
  });

  it('reads the certificate of the https URL it probes', async () => {
    const left = await panelTop(DASHBOARD_UIDS.serviceOverview, 'TLS certificate expiry');
    expect(left.map((s) => s.metric.instance)).toEqual([`https://127.0.0.1:${stack.tls.port}/`]);
    // live/tlsServer.ts makes a 30-day certificate: within a minute of 30 days left.
    expect(Math.abs(left[0].value - 30 * 86_400)).toBeLessThan(3600);
    expect(left[0].metric.service).toBe(LIVE_TLS_URL.name);
  });

  it('a failing health endpoint fires UptimeProbeFailing only after uptime.failedProbes failed probes', async () => {
    const { failedProbes, interval } = stack.rendered.config.uptime;
    const app = stack.rendered.config.apps[0].name;
    const selector = `probe_success{service="${app}"}`;
    await pollUntil('the app probe succeeds', async () => ((await stack.prom.query(`${selector} == 1`)).length > 0 ? done(true) : notYet('not yet')), { timeoutMs: 20_000 });
    const failingFrom = Date.now() / 1000;
    await stack.setFaults({ ...APP_FAULTS, healthStatus: 503 });
    try {
      const activeAt = await pollUntil(
        'UptimeProbeFailing pending or firing',
        async () => {
          const rule = (await stack.prom.rules()).flatMap((g) => g.rules).find((r) => r.name === 'UptimeProbeFailing') as { state?: string; alerts?: { activeAt: string; labels: Record<string, string> }[] } | undefined;
          const alert = rule?.alerts?.find((a) => a.labels.service === app);
          return alert ? done(Date.parse(alert.activeAt) / 1000) : notYet(`state ${rule?.state ?? 'unknown'}`);
        },
        { timeoutMs: 30_000, intervalMs: 500 },
      );
      // The probes Prometheus stored between the fault and the alert: at least failedProbes, all failed.
      const res = await fetch(`${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent(`${selector}[${Math.ceil(activeAt - failingFrom) + 1}s]`)}&time=${activeAt}`);
      const body = (await res.json()) as { data: { result: { values: [number, string][] }[] } };
      const samples = body.data.result[0].values.filter(([t]) => t > failingFrom);
      expect(samples.filter(([, v]) => v === '0').length, `failed probes before the alert (one every ${interval})`).toBeGreaterThanOrEqual(failedProbes);
      expect(samples.slice(-failedProbes).every(([, v]) => v === '0')).toBe(true);
      await pollUntil('UptimeProbeFailing firing', async () => ((await alertState('UptimeProbeFailing')) === 'firing' ? done(true) : notYet(await alertState('UptimeProbeFailing'))), { timeoutMs: 45_000, intervalMs: 1000 });
    } finally {
      await stack.setFaults({ ...NO_FAULTS, ...APP_FAULTS });
    }
  });

  it('keeps the data written before a Prometheus restart', async () => {
    // A moment safely in the past: every sample up to it has been appended (a scrape that
    // started just before "now" may still be in flight).
    const before = Date.now() / 1000 - 5;
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
