import { describe, expect, it } from 'vitest';
import { parseExposition, summarizeExposition } from '../live/exposition';

const TEXT = `# HELP http_request_duration_seconds Latency.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{route="/a",le="0.1"} 1
http_request_duration_seconds_bucket{route="/a",le="+Inf"} 2
http_request_duration_seconds_sum{route="/a"} 0.3
http_request_duration_seconds_count{route="/a"} 2
http_request_duration_seconds_bucket{route="/b",le="+Inf"} 1
http_request_duration_seconds_sum{route="/b"} 0.1
http_request_duration_seconds_count{route="/b"} 1
# HELP go_gc_duration_seconds Pauses.
# TYPE go_gc_duration_seconds summary
go_gc_duration_seconds{quantile="0.5"} 0.001
go_gc_duration_seconds_sum 0.01
go_gc_duration_seconds_count 3
# HELP pg_stat_activity_count Connections, by "state".
# TYPE pg_stat_activity_count gauge
pg_stat_activity_count{datname="app",state="idle in transaction",application_name="a,b=\\"c\\""} 1
pg_stat_activity_count{datname="app",state="active",application_name=""} 2
# TYPE up gauge
up 1
`;

describe('the text exposition format, as far as the fixtures need it', () => {
  it('groups bucket, sum and count samples under their family, without le and quantile', () => {
    const families = parseExposition(TEXT);
    expect(families.map((f) => [f.name, f.type, f.labels.join(','), f.series])).toEqual([
      ['go_gc_duration_seconds', 'summary', '', 1],
      ['http_request_duration_seconds', 'histogram', 'route', 2],
      ['pg_stat_activity_count', 'gauge', 'application_name,datname,state', 2],
      ['up', 'gauge', '', 1],
    ]);
  });

  it('reads quoted label values with commas, equals signs and escaped quotes', () => {
    expect(summarizeExposition(TEXT).split('\n')[2]).toBe('pg_stat_activity_count | gauge | labels={application_name,datname,state} | series=2 | Connections, by "state".');
  });
});
