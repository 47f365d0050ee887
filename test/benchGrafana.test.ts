import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  alignRange, escapeRegex, formatDuration, grafanaStep, minIntervalSeconds, panelQueries, rateInterval, roundInterval, substituteVariables, variableText,
  type JsonDashboard,
} from '../bench/grafana';

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/bench/api-performance.json'), 'utf8')) as JsonDashboard;

describe('Grafana step', () => {
  it('rounds range/width to Grafana intervals', () => {
    expect(roundInterval(3600)).toBe(5000);
    expect(roundInterval(21600)).toBe(20000);
    expect(roundInterval(86400)).toBe(60000);
    expect(roundInterval(17500)).toBe(15000);
    expect(roundInterval(17501)).toBe(20000);
  });

  it('uses range/1000 rounded, never below the scrape interval', () => {
    expect(grafanaStep(3600, 15)).toBe(15); // 3.6 s -> below 15 s scrape
    expect(grafanaStep(6 * 3600, 15)).toBe(20); // 21.6 s -> 20 s
    expect(grafanaStep(24 * 3600, 15)).toBe(60); // 86.4 s -> 1 m
    expect(grafanaStep(24 * 3600, 120)).toBe(120); // panel min interval wins
  });

  it('computes $__rate_interval as max(4 x scrape, step + scrape)', () => {
    expect(rateInterval(15, 15)).toBe(60);
    expect(rateInterval(60, 15)).toBe(75);
  });

  it('aligns the range to the step', () => {
    expect(alignRange(1000, 2000, 60)).toEqual({ start: 960, end: 1980 });
  });

  it('formats durations with the largest whole unit', () => {
    expect([formatDuration(75), formatDuration(60), formatDuration(7200), formatDuration(86400)]).toEqual(['75s', '1m', '2h', '1d']);
  });
});

describe('variables', () => {
  it('replaces builtins and dashboard variables in all three syntaxes', () => {
    const expr = 'rate(x{s=~"$service",r=~"${route}",q="[[q]]"}[$__rate_interval]) * $__range_s + $unknown';
    expect(substituteVariables(expr, { stepSeconds: 60, rangeSeconds: 3600, scrapeSeconds: 15, variables: { service: '.*', route: '(a|b)', q: 'x' } })).toBe(
      'rate(x{s=~".*",r=~"(a|b)",q="x"}[75s]) * 3600 + .*',
    );
  });

  it('selects all values of multi-value variables as Grafana does', () => {
    expect(variableText({ name: 's', type: 'query', multi: true, includeAll: true, allValue: '.*' }, ['a', 'b'])).toBe('.*');
    expect(variableText({ name: 's', type: 'query', multi: true, includeAll: true }, ['a.b', 'c'])).toBe('(a\\\\.b|c)');
    expect(variableText({ name: 's', type: 'query' }, ['first', 'second'])).toBe('first');
    expect(escapeRegex('/api/:id')).toBe('/api/:id');
  });
});

describe('panelQueries', () => {
  it('finds every visible query, rows included, with instant and min interval', () => {
    const qs = panelQueries(fixture);
    expect(qs.map((q) => q.panel)).toEqual(['Request rate by route', 'Error ratio', 'p95 by route', 'Latency quantiles', 'Raw in-flight', 'Availability now']);
    expect(qs.find((q) => q.panel === 'Availability now')?.instant).toBe(true);
    const raw = qs.find((q) => q.panel === 'Raw in-flight')!;
    expect(minIntervalSeconds(raw, 15)).toBe(60);
    expect(minIntervalSeconds(qs[0], 15)).toBe(15);
  });
});
