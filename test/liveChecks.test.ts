/**
 * Grafana variable substitution and the live checks' reporting, against an in-memory series set
 * (the live test runs the same checks against real Prometheus).
 */
import { describe, expect, it } from 'vitest';
import { selectorsOf } from '../catalog/checkQuery';
import { breakDashboard, breakExpr, breakRule, misspell } from '../live/breakArtifacts';
import { checkAlertSelectors, checkDashboard, checkRecordingRules, parseRuleFile, recordedSelector, type QuerySource } from '../live/checks';
import {
  applyVariableRegex, builtinVariables, interpolate, panelQueries, parseVariableQuery, prometheusRegexEscape, templateVariables, variableReplacement,
  type VariableSpec,
} from '../live/grafanaQueries';
import { errorOf } from './helpers';

const variable = (over: Partial<VariableSpec>): VariableSpec => ({
  name: 'service', type: 'query', query: 'label_values(up, service)', multi: false, includeAll: false, allValue: undefined, regex: undefined, current: undefined, ...over,
});

describe('Grafana variable substitution', () => {
  it('computes $__interval and $__rate_interval as Grafana does', () => {
    // 4 x scrape interval wins for short ranges; $__interval + scrape wins for long ones.
    expect(builtinVariables({ scrapeIntervalSeconds: 2, rangeSeconds: 300 })).toMatchObject({ __interval: '2s', __rate_interval: '8s', __range: '300s', __range_s: '300' });
    expect(builtinVariables({ scrapeIntervalSeconds: 15, rangeSeconds: 7 * 86400 })).toMatchObject({ __interval: '605s', __rate_interval: '620s' });
  });

  it('replaces $x, ${x}, ${x:format} and [[x]], and names an unknown variable', () => {
    const values = { service: 'shop-api', __rate_interval: '8s' };
    expect(interpolate('rate(x{service="$service"}[$__rate_interval]) + ${service:regex} + [[service]]', values, 'p')).toBe(
      'rate(x{service="shop-api"}[8s]) + shop-api + shop-api',
    );
    const e = errorOf(() => interpolate('up{job="$job"}', values, 'dashboard d panel "Up"'));
    expect(e.message).toBe('dashboard d panel "Up": uses $job, which is neither a dashboard variable nor a Grafana built-in');
  });

  it('formats values like Grafana: raw for single-value, escaped regex for multi and All', () => {
    expect(variableReplacement(variable({}), ['a.b', 'c'])).toBe('a.b');
    expect(variableReplacement(variable({ multi: true, current: ['a.b', 'c'] }), ['a.b', 'c'])).toBe('(a\\\\.b|c)');
    expect(variableReplacement(variable({ includeAll: true }), ['a', 'b'])).toBe('(a|b)');
    expect(variableReplacement(variable({ includeAll: true, allValue: '.*' }), ['a', 'b'])).toBe('.*');
    expect(variableReplacement(variable({ includeAll: true, current: ['b'] }), ['a', 'b'])).toBe('b');
    expect(prometheusRegexEscape('127.0.0.1:9100')).toBe('127\\\\.0\\\\.0\\\\.1:9100');
    expect(errorOf(() => variableReplacement(variable({}), [])).key).toBe('variable $service');
  });

  it('parses the Prometheus variable query functions', () => {
    expect(parseVariableQuery('label_values(http_requests_total{service=~"a|b", route!=""}, route)', 'v')).toEqual({
      kind: 'label_values', match: 'http_requests_total{service=~"a|b", route!=""}', label: 'route',
    });
    expect(parseVariableQuery('label_values(service)', 'v')).toEqual({ kind: 'label_values', match: undefined, label: 'service' });
    expect(parseVariableQuery('query_result(topk(5, up))', 'v')).toEqual({ kind: 'query_result', expr: 'topk(5, up)' });
    expect(errorOf(() => parseVariableQuery('SELECT 1', 'dashboard d variable $x')).key).toBe('dashboard d variable $x');
  });

  it('applies a variable regex, taking the first group', () => {
    expect(applyVariableRegex('/(.*):[0-9]+/', ['a:1', 'b:2', 'c'])).toEqual(['a', 'b']);
    expect(applyVariableRegex(undefined, ['x'])).toEqual(['x']);
  });

  it('finds panel queries in rows and collapsed rows, and variables with object queries', () => {
    const dashboard = {
      uid: 'd1',
      title: 'D',
      panels: [
        { id: 1, title: 'A', type: 'timeseries', targets: [{ refId: 'A', expr: 'up' }, { refId: 'B', expr: '' }] },
        { id: 2, title: 'Row', type: 'row', panels: [{ id: 3, title: 'C', targets: [{ expr: 'redis_up' }] }] },
        { id: 4, title: 'Text', type: 'text' },
      ],
      templating: { list: [{ name: 'svc', type: 'query', query: { query: 'label_values(up, service)', refId: 'x' }, includeAll: true, current: { value: ['$__all'] } }] },
    };
    expect(panelQueries(dashboard).map((p) => `${p.panelId}/${p.refId}/${p.expr}`)).toEqual(['1/A/up', '3/A/redis_up']);
    expect(templateVariables(dashboard)).toEqual([
      { name: 'svc', type: 'query', query: 'label_values(up, service)', multi: false, includeAll: true, allValue: undefined, regex: undefined, current: ['$__all'] },
    ]);
  });
});

/** Series "present" in the fake Prometheus: an expression has data when all its selectors match one. */
function fakeSource(series: Record<string, Record<string, string>[]>): QuerySource {
  const matching = (sel: ReturnType<typeof selectorsOf>[number]) =>
    (series[sel.metric] ?? []).filter((labels) =>
      sel.matchers.every((m) => {
        const v = labels[m.label] ?? '';
        if (m.op === '=') return v === m.value;
        if (m.op === '!=') return v !== m.value;
        const re = new RegExp(`^(?:${m.value.replace(/\\\\/g, '\\')})$`);
        return m.op === '=~' ? re.test(v) : !re.test(v);
      }),
    );
  // `a or b` has data when either side has; anything else when all its selectors match.
  const count = (expr: string) => (expr.split(' or ').some((part) => selectorsOf(part).every((sel) => matching(sel).length > 0)) ? 1 : 0);
  return {
    rangeCount: async (expr) => count(expr),
    instant: async (expr) => (count(expr) ? [{ metric: {}, value: 1 }] : []),
    labelValues: async (label, match) => {
      const found = match ? matching(selectorsOf(match)[0]) : Object.values(series).flat();
      return [...new Set(found.map((l: Record<string, string>) => l[label]).filter((v): v is string => v !== undefined))];
    },
    labelNames: async () => [...new Set(Object.values(series).flat().flatMap((l) => Object.keys(l)))],
  };
}

const SERIES = {
  up: [{ service: 'shop-api', job: 'app-shop-api', instance: '127.0.0.1:1' }],
  http_requests_total: [{ service: 'shop-api', route: '/api/items', status: '200' }],
  pg_stat_database_xact_commit: [{ datname: 'app' }],
};

const DASHBOARD = {
  uid: 'obs-test',
  title: 'Test',
  templating: { list: [{ name: 'service', type: 'query', query: 'label_values(up, service)', includeAll: true, multi: true }] },
  panels: [
    { id: 1, title: 'Requests', targets: [{ refId: 'A', expr: 'sum(rate(http_requests_total{service=~"$service"}[$__rate_interval]))' }] },
    { id: 2, title: 'Commits', targets: [{ refId: 'A', expr: 'sum(rate(pg_stat_database_xact_commit{datname!=""}[$__rate_interval]))' }] },
  ],
};
const TIME = { scrapeIntervalSeconds: 2, rangeSeconds: 300 };

describe('checkDashboard', () => {
  it('passes when every variable and panel query returns data', async () => {
    expect(await checkDashboard(DASHBOARD, fakeSource(SERIES), TIME)).toEqual({ problems: [], checked: 3 });
  });

  it('names the dashboard, panel, query and the selector of a metric that does not exist at runtime', async () => {
    const broken = breakDashboard(DASHBOARD)!;
    expect(broken.panelTitle).toBe('Requests');
    expect(broken.breakage).toEqual({ original: 'http_requests_total{service=~"$service"}', broken: 'http_requests{service=~"$service"}', metric: 'http_requests' });
    const r = await checkDashboard(broken.dashboard, fakeSource(SERIES), TIME);
    expect(r.problems).toEqual([
      {
        where: 'dashboard obs-test panel "Requests" (id 1) query A',
        message: 'no data for sum(rate(http_requests{service=~"shop-api"}[8s])); selector(s) matching no series: http_requests{service=~"shop-api"}',
      },
    ]);
  });

  it('names a selector that matches nothing even when an "or" fallback still draws the panel', async () => {
    const d = { uid: 'u', panels: [{ id: 3, title: 'Errors', targets: [{ refId: 'B', expr: 'sum(rate(http_request_errors_total[5m])) or vector(0)' }] }] };
    const r = await checkDashboard(d, fakeSource(SERIES), TIME);
    expect(r.problems).toEqual([
      { where: 'dashboard u panel "Errors" (id 3) query B', message: 'selector http_request_errors_total matches no series (the query still returns data through another branch)' },
    ]);
  });

  it('names a variable whose query returns nothing and the selector behind it', async () => {
    const d = { ...DASHBOARD, templating: { list: [{ name: 'service', type: 'query', query: 'label_values(up{job="nope"}, service)' }] } };
    const r = await checkDashboard(d, fakeSource({ ...SERIES, up: [{ service: 'x', job: 'other' }] }), TIME);
    expect(r.problems[0]).toEqual({
      where: 'dashboard obs-test variable $service',
      message: 'query label_values(up{job="nope"}, service) returns no values; selector(s) matching no series: up{job="nope"}',
    });
  });

  it('reports a panel that uses an undefined variable instead of querying its raw text', async () => {
    const d = { uid: 'u', panels: [{ id: 7, title: 'P', targets: [{ refId: 'A', expr: 'up{instance="$instance"}' }] }] };
    const r = await checkDashboard(d, fakeSource(SERIES), TIME);
    expect(r.problems).toEqual([{ where: 'dashboard u panel "P" (id 7) query A', message: 'dashboard u panel "P" (id 7) query A: uses $instance, which is neither a dashboard variable nor a Grafana built-in' }]);
  });
});

const RULES = parseRuleFile(
  'prometheus/rules/x.yml',
  `groups:
  - name: x
    rules:
      - record: service:http_requests:rate5m
        expr: sum by (service) (rate(http_requests_total[5m]))
      - record: service_route:http_request_duration_seconds:histogram_quantile_rate5m
        labels: { quantile: "0.95" }
        expr: histogram_quantile(0.95, sum by (service, le) (rate(http_request_duration_seconds_bucket[5m])))
      - alert: HighErrorRate
        expr: sum by (service) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (service) (rate(http_requests_total[5m])) > 0.05
        for: 5m
`,
);

describe('rule checks', () => {
  it('selects a recording rule output by name and rule labels', () => {
    expect(recordedSelector(RULES[0].rules[1])).toBe('service_route:http_request_duration_seconds:histogram_quantile_rate5m{quantile="0.95"}');
  });

  it('names the record and the input selector of a recording rule without output', async () => {
    const source = fakeSource({ ...SERIES, 'service:http_requests:rate5m': [{ service: 'shop-api' }] });
    const r = await checkRecordingRules(RULES, source);
    expect(r.checked).toBe(2);
    expect(r.problems).toEqual([
      {
        where: 'rule file prometheus/rules/x.yml, group x, record service_route:http_request_duration_seconds:histogram_quantile_rate5m{quantile="0.95"}',
        message: 'produces no series; selector(s) matching no series: http_request_duration_seconds_bucket',
      },
    ]);
  });

  it('names a selector of a recording rule masked by an "or" fallback', async () => {
    const [group] = parseRuleFile('r.yml', 'groups:\n  - name: g\n    rules:\n      - record: service:errors:rate5m\n        expr: sum(rate(http_requests_totl[5m])) or vector(0)\n');
    const r = await checkRecordingRules([group], fakeSource({ 'service:errors:rate5m': [{}] }));
    expect(r.problems).toEqual([
      { where: 'rule file r.yml, group g, record service:errors:rate5m', message: 'selector http_requests_totl matches no series (the rule still produces series through another branch)' },
    ]);
  });

  it('names the alert and each of its selectors that matches no series', async () => {
    const r = await checkAlertSelectors(RULES, fakeSource(SERIES));
    expect(r.checked).toBe(2);
    expect(r.problems).toEqual([{ where: 'rule file prometheus/rules/x.yml, group x, alert HighErrorRate', message: 'selector http_requests_total{status=~"5.."} matches no series' }]);
    const broken = breakRule(RULES[0].rules[2])!;
    const withErrors = fakeSource({ ...SERIES, http_requests_total: [...SERIES.http_requests_total, { service: 'shop-api', status: '500' }] });
    expect((await checkAlertSelectors([{ ...RULES[0], rules: [RULES[0].rules[2]] }], withErrors)).problems).toEqual([]);
    expect((await checkAlertSelectors([{ ...RULES[0], rules: [broken.rule] }], withErrors)).problems.map((p) => p.message)).toEqual([
      'selector http_requests{status=~"5.."} matches no series',
    ]);
  });

  it('rejects a file that is not a rule file, naming it', () => {
    expect(errorOf(() => parseRuleFile('prometheus/rules/bad.yml', 'foo: 1')).key).toBe('prometheus/rules/bad.yml');
  });
});

describe('breaking artifacts', () => {
  it('adds or drops _total, the classic mistake', () => {
    expect(misspell('pg_stat_database_xact_commit')).toBe('pg_stat_database_xact_commit_total');
    expect(misspell('redis_commands_processed_total')).toBe('redis_commands_processed');
  });

  it('breaks the first named selector of an expression and renames a broken recording rule', () => {
    expect(breakExpr('sum(rate(redis_keyspace_hits_total[5m]))')?.expr).toBe('sum(rate(redis_keyspace_hits[5m]))');
    expect(breakExpr('vector(1)')).toBeUndefined();
    expect(breakExpr('sum by (group) (up)')?.expr).toBe('sum by (group) (up_total)');
    expect(breakRule(RULES[0].rules[0])?.rule.record).toBe('live_broken:http_requests:rate5m');
  });
});
