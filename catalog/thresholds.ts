/**
 * Default alert and dashboard thresholds. Each lives here once; dashboards draw them as threshold
 * lines and alerts compare against them, so the two can never disagree. A stack overrides any of
 * them in `observatory:alerts.thresholds` (see stacks/config/schema.ts).
 */
export const DEFAULT_THRESHOLDS = {
  /** p95 request latency (s) that pages. Change when the product's latency promise changes. */
  latencyP95Critical: 0.5,
  /** p95 latency (s) worth a look. Most routes here answer in under 200 ms when healthy. */
  latencyP95Warning: 0.2,
  /**
   * p99 latency (s) worth a ticket: the tail users feel as "the app hangs" (seeds 000 and 003: 1 s).
   * A warning, not a page: p99 above 1 s means over 1% of requests miss the 500 ms latency SLO,
   * a burn the SLO alerts page on once it is fast (docs/alerting.md, "P99 severity").
   */
  latencyP99Warning: 1,
  /** 5xx share of requests that pages. Lower it for payment-like services. */
  errorRatioCritical: 0.05,
  /** 5xx share worth a ticket; above the normal noise of client aborts. */
  errorRatioWarning: 0.01,
  /**
   * Requests per second (5m average) a service must serve before its latency and 5xx alerts may
   * fire: at a handful of requests one slow or failed request is a large share, not an incident.
   * Lower it for services that are quiet by design; the 5xx ratio still shows on the dashboards.
   */
  minRequestRate: 0.1,
  /** Share of PostgreSQL max_connections in use; beyond it new connections start failing soon. */
  dbPoolUsage: 0.8,
  /**
   * Queries per second of one statement kind on one table before its mean latency may alert: one
   * slow query a minute makes a 5-minute mean, not a trend.
   */
  dbMinQueryRate: 0.1,
  /** Mean query latency (s) worth a look; raise for analytics-heavy apps. */
  dbQueryMeanWarning: 0.5,
  /** Mean query latency (s) that pages. */
  dbQueryMeanCritical: 2,
  /** Share of transactions rolled back (postgres-mixin: 10%); above it something aborts work it started. */
  dbRollbackRatio: 0.1,
  /** Transactions per second a database needs before its rollback share may alert. */
  dbMinTransactionRate: 1,
  /** Deadlocks a minute, over 5 minutes, that open a ticket (postgres-mixin: 5); single deadlocks are retried. */
  dbDeadlocksPerMinute: 5,
  /** PostgreSQL buffer cache hit ratio below which reads go to disk too often (seed 003: 90%; the mixin says 98%). */
  dbCacheHitRatioMin: 0.9,
  /** Block lookups per second a server needs before its buffer cache hit ratio may alert. */
  dbMinBlockRate: 100,
  /** Share of Redis maxmemory in use; past it evictions or OOM errors begin. */
  redisMemoryUsage: 0.9,
  /** Cache hit ratio below which the cache stops protecting the database. */
  cacheHitRatioMin: 0.7,
  /** Lookups per second a cache (Redis keyspace or an application cache) needs before its hit ratio may alert. */
  cacheMinLookupRate: 1,
  /** Share of Redis maxclients in use; at the limit new connections are rejected. */
  redisClientsUsage: 0.9,
  /** Share of the machine's memory Redis may use when it has no maxmemory limit (redis-mixin: 90%). */
  redisSystemMemoryUsage: 0.9,
  /** Host CPU utilisation (0..1). */
  hostCpuUsage: 0.8,
  /** Host memory utilisation (0..1). */
  hostMemoryUsage: 0.9,
  /** Share of a network interface's packets that fail (node-mixin: 1%); a healthy link has almost none. */
  hostNetworkErrorRatio: 0.01,
  /** Clock offset (s) from the NTP reference, either way (node-mixin: 50 ms); traces and TLS need the hosts to agree. */
  hostClockOffsetSeconds: 0.05,
  /**
   * Seconds the newest sample sent to a remote-write target may trail the newest one enqueued
   * (prometheus-mixin: 120 s). Beyond it dashboards read from the engine miss the last minutes;
   * raise it only for a target known to batch slowly.
   */
  remoteWriteLagSeconds: 120,
  /** Share of samples a remote-write target refuses for good (prometheus-mixin: 1%); those samples are lost for it. */
  remoteWriteFailedRatio: 0.01,
  /**
   * Free share of a filesystem's space (or inodes) below which a falling trend that reaches 0
   * within diskFillHoursWarning opens a ticket. Above it a trend has days of headroom to be fixed.
   */
  diskFreeFillingWarning: 0.4,
  /** Free share below which a trend reaching 0 within diskFillHoursCritical pages. */
  diskFreeFillingCritical: 0.2,
  /** Hours ahead the warning prediction looks: a day lets office hours deal with it. */
  diskFillHoursWarning: 24,
  /** Hours ahead the paging prediction looks: enough to free space or grow the volume at night. */
  diskFillHoursCritical: 4,
  /** Free share of space (or inodes) that is worth a ticket whatever the trend. */
  diskFreeWarning: 0.05,
  /** Free share that pages: a burst of logs or a compaction fills the rest in minutes. */
  diskFreeCritical: 0.03,
} as const;

export type ThresholdKey = keyof typeof DEFAULT_THRESHOLDS;
export type Thresholds = { readonly [K in ThresholdKey]: number };

/** Thresholds that are shares of something and so must stay within 0..1. */
export const RATIO_THRESHOLDS: readonly ThresholdKey[] = [
  'errorRatioCritical', 'errorRatioWarning', 'dbPoolUsage', 'redisMemoryUsage', 'cacheHitRatioMin', 'hostCpuUsage', 'hostMemoryUsage',
  'hostNetworkErrorRatio', 'dbRollbackRatio', 'dbCacheHitRatioMin', 'redisClientsUsage', 'redisSystemMemoryUsage',
  'diskFreeFillingWarning', 'diskFreeFillingCritical', 'diskFreeWarning', 'diskFreeCritical', 'remoteWriteFailedRatio',
];

/**
 * Minimum hit ratio per application cache (the `cache` label of cache_hits_total), from seed
 * 000's "Cache Hit Rates (Target)" table. A cache not listed here is held to
 * cacheHitRatioMin. A stack's `observatory:alerts.cacheTargets` replaces this map as a whole
 * (`{}` holds every cache to cacheHitRatioMin). Change a target when the cache's TTL or
 * invalidation changes what hit ratio it can reach.
 */
export const DEFAULT_CACHE_TARGETS: Readonly<Record<string, number>> = {
  /** Popular verses, cached 7 days. */
  'scripture-verses': 0.9,
  /** Cached 1 hour. */
  'user-profiles': 0.85,
  /** Cached 30 minutes. */
  'group-data': 0.8,
  /** Invalidated on new content, so it misses more by design. */
  'feed-items': 0.75,
};

/**
 * Uptime probes (blackbox_exporter). Seed 000 alerts "after 2 failures"; one failed probe is
 * often a restart or a dropped connection, not an outage.
 */
export const DEFAULT_UPTIME = {
  /** Consecutive failed probes before UptimeProbeFailing fires. Raise it for flaky networks. */
  failedProbes: 2,
  /** Days before a certificate expires that UptimeCertificateExpiring opens a ticket: two weeks covers a holiday. */
  certExpiryDays: 14,
} as const;
