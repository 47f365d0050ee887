/**
 * Disk alerts from node_exporter's filesystem collector, as node-mixin writes them: a filesystem
 * whose free space (or inodes) trends to zero within hours (predict_linear over 6 h), one that is
 * almost full whatever the trend, and a filesystem remounted read-only. Read-only filesystems are
 * left out of the space alerts: nothing more can be written to them, and the remount alert covers
 * why. Prometheus's own volume is one of these filesystems where node_exporter can see it; the
 * self-monitoring group adds what Prometheus itself reports about its storage.
 */
import * as node from '../catalog/node';
import { and, eq, lt, minOverTime, predictLinear, ratio, series, type Matchers, type SeriesHandle } from '../catalog/query';
import type { ThresholdKey } from '../catalog/thresholds';
import { humanizePercentage } from './humanize';
import { TEST_TARGETS, input, segments, steady } from './scenarioKit';
import { defineAlert, type AlertConcern, type AlertDefinition, type AlertInputs, type InputSeries, type RunbookText } from './types';

const N = TEST_TARGETS.node;
type FsLabel = 'device' | 'fstype' | 'mountpoint' | 'device_error' | 'job' | 'instance' | 'service';
/** Pseudo filesystems without a type carry no data; node_exporter already drops tmpfs-like ones it knows. */
const FS: Matchers<FsLabel> = { fstype: { ne: '' } };
const TEST_FS = { ...N, device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' } as const;
/** How far back the trend is fitted; long enough that a log rotation or a compaction does not look like a trend. */
const TREND_WINDOW = '6h';
const readonly = series(node.node_filesystem_readonly);

type Resource = 'space' | 'inodes';
interface ResourceSpec {
  readonly free: SeriesHandle<FsLabel>;
  readonly total: SeriesHandle<FsLabel>;
  /** Alert name stem: HostDisk..., HostInodes... */
  readonly stem: string;
  readonly noun: string;
  /** The filesystem size the test scenarios use (bytes or inodes). */
  readonly testTotal: number;
  /** `for` of the almost-full alerts (node-mixin: 30m for space, 1h for inodes, which change slower). */
  readonly lowFor: string;
}
const RESOURCES: Record<Resource, ResourceSpec> = {
  space: { free: series(node.node_filesystem_avail_bytes), total: series(node.node_filesystem_size_bytes), stem: 'HostDisk', noun: 'space', testTotal: 100 * 1024 ** 3, lowFor: '30m' },
  inodes: { free: series(node.node_filesystem_files_free), total: series(node.node_filesystem_files), stem: 'HostInodes', noun: 'inodes', testTotal: 6_553_600, lowFor: '1h' },
};

function freeShare(r: ResourceSpec) {
  return ratio(r.free.select(FS), r.total.select(FS));
}
function writable() {
  return eq(readonly.select(FS), 0);
}

/** Test series of one filesystem: `free` samples, the total, and whether it is read-only. */
function filesystem(r: ResourceSpec, free: (samples: number) => string, ro = 0): InputSeries[] {
  return [input(r.free, TEST_FS, free), input(r.total, TEST_FS, steady(r.testTotal)), input(readonly, TEST_FS, steady(ro))];
}
/** Free units falling from `start` so that they reach 0 after `hours`. */
function falling(start: number, hours: number): { values: (samples: number) => string; perMinute: number } {
  const perMinute = Math.ceil(start / (hours * 60));
  return { values: segments({ minutes: 0, from: start, perMinute: -perMinute }), perMinute };
}

const FILL_RUNBOOK: Record<Resource, RunbookText> = {
  space: {
    meaning: 'A filesystem on the host is running out of space: at the trend of the last hours it is full within the horizon in the alert name. When it is full, writes fail: databases stop accepting transactions, Prometheus stops ingesting, logs are lost, and pods are evicted for disk pressure.',
    causes: [
      'Logs growing without rotation (application logs, container logs under /var/lib/docker or /var/log/pods).',
      'A database or Prometheus volume sized too small for its retention or data growth.',
      'Container images and build layers piling up on the node.',
      'A core dump, a backup or an export written to the wrong disk.',
    ],
    checks: [
      'See which filesystem and how fast: `node_filesystem_avail_bytes{instance="<instance>",mountpoint="<mountpoint>"}` over the last day.',
      'Find what grows on the host: `du -xh --max-depth=2 <mountpoint> | sort -h | tail` (on kubernetes, on the node or through a debug pod).',
      'Check container and image usage: `docker system df` or `crictl images`; for PostgreSQL `SELECT pg_size_pretty(pg_database_size(current_database()));`.',
    ],
    fixes: [
      'Free space now: rotate or truncate runaway logs, prune unused images (`docker image prune`, `crictl rmi --prune`), delete old backups.',
      'Grow the volume (PersistentVolumeClaim resize or a bigger disk), or lower the retention of what fills it (observatory:retention for Prometheus).',
      'Fix the cause: log rotation, TTLs, cleanup jobs.',
    ],
  },
  inodes: {
    meaning: 'A filesystem on the host is running out of inodes: every file needs one, so once they are gone no file can be created even though space is left. Writes of new files fail with "No space left on device".',
    causes: [
      'Millions of small files: session files, cache entries, mail spools, unrotated small logs.',
      'A job that creates temporary files and never deletes them.',
      'A filesystem formatted with too few inodes for its use (ext4 fixes the count at mkfs time).',
    ],
    checks: [
      'See the trend: `node_filesystem_files_free{instance="<instance>",mountpoint="<mountpoint>"}` over the last day.',
      'Find the directories with the most files: `du --inodes -x <mountpoint> | sort -n | tail`.',
      '`df -i <mountpoint>` on the host for the current numbers.',
    ],
    fixes: [
      'Delete the small files nobody needs (old sessions, temporary files) and fix the job that creates them.',
      'Move the workload to a filesystem with more inodes (xfs allocates them dynamically) or reformat with a higher inode count.',
    ],
  },
};

function fillingUpAlert(inputs: AlertInputs, resource: Resource, severity: 'warning' | 'critical'): AlertDefinition {
  const r = RESOURCES[resource];
  const t = inputs.thresholds;
  const shareKey: ThresholdKey = severity === 'critical' ? 'diskFreeFillingCritical' : 'diskFreeFillingWarning';
  const hoursKey: ThresholdKey = severity === 'critical' ? 'diskFillHoursCritical' : 'diskFillHoursWarning';
  const share = t[shareKey];
  const hours = t[hoursKey];
  const expr = and(and(lt(freeShare(r), share), lt(predictLinear(r.free.range(TREND_WINDOW, FS), hours * 3600), 0)), writable());
  const name = `${r.stem}FillingUp${severity === 'critical' ? 'Fast' : ''}`;
  // Scenarios: free at three quarters of the threshold, falling so that it is gone in 3/4 of the horizon.
  const start = Math.floor(r.testTotal * share * 0.75);
  const fast = falling(start, hours * 0.75);
  const slow = falling(start, hours * 2);
  const roomy = Math.floor(r.testTotal * Math.min((1 + share) / 2, share * 2));
  const checkAt = (forMin: number) => 1 + forMin;
  return defineAlert({
    name,
    family: `${r.stem}FillingUp`,
    severity,
    for: '1h',
    expr,
    valueFormat: 'percentage',
    summary: (v) => `Host ${v.label('instance')}: ${v.label('mountpoint')} runs out of ${r.noun} within ${hours} hours (${v.value} free)`,
    description: (v) =>
      `Filesystem ${v.label('device')} on ${v.label('mountpoint')} of host ${v.label('instance')} has ${v.value} of its ${r.noun} free, below ${humanizePercentage(share)} (alerts.thresholds.${shareKey}), and at the trend of the last ${TREND_WINDOW} it has none left within ${hours} hours (alerts.thresholds.${hoursKey}).`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: FILL_RUNBOOK[resource],
    scenarios: [
      {
        kind: 'fires',
        name: `${humanizePercentage(start / r.testTotal)} free and gone in ${hours * 0.75} hours`,
        series: filesystem(r, fast.values),
        // predict_linear needs two samples.
        activeAtMinutes: 1,
        labels: TEST_FS,
        // Checked at the first evaluation after `for` (61 min, or 2 with --alert-for 30s).
        value: (start - fast.perMinute * checkAt(60)) / r.testTotal,
        valueExactFromMinutes: checkAt(60),
      },
      { kind: 'quiet', name: `${humanizePercentage(start / r.testTotal)} free and steady`, series: filesystem(r, steady(start)), evalAtMinutes: 70 },
      { kind: 'quiet', name: `${humanizePercentage(start / r.testTotal)} free, gone only in ${hours * 2} hours`, series: filesystem(r, slow.values), evalAtMinutes: 70 },
      { kind: 'quiet', name: `${humanizePercentage(roomy / r.testTotal)} free, falling as fast`, series: filesystem(r, segments({ minutes: 0, from: roomy, perMinute: -fast.perMinute })), evalAtMinutes: 70 },
      { kind: 'quiet', name: 'falling as fast, but mounted read-only', series: filesystem(r, fast.values, 1), evalAtMinutes: 70 },
    ],
  });
}

function lowAlert(inputs: AlertInputs, resource: Resource, severity: 'warning' | 'critical'): AlertDefinition {
  const r = RESOURCES[resource];
  const key: ThresholdKey = severity === 'critical' ? 'diskFreeCritical' : 'diskFreeWarning';
  const share = inputs.thresholds[key];
  const low = Math.floor(r.testTotal * share * 0.5);
  const ok = Math.floor(r.testTotal * Math.min((1 + share) / 2, share * 2));
  return defineAlert({
    name: `${r.stem}${resource === 'space' ? 'Space' : ''}${severity === 'critical' ? 'VeryLow' : 'Low'}`,
    family: `${r.stem}Free`,
    severity,
    for: r.lowFor,
    expr: and(lt(freeShare(r), share), writable()),
    valueFormat: 'percentage',
    summary: (v) => `Host ${v.label('instance')}: only ${v.value} of ${r.noun} free on ${v.label('mountpoint')}`,
    description: (v) =>
      `Filesystem ${v.label('device')} on ${v.label('mountpoint')} of host ${v.label('instance')} has only ${v.value} of its ${r.noun} free, below ${humanizePercentage(share)} (alerts.thresholds.${key}), for ${r.lowFor}.`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: FILL_RUNBOOK[resource],
    scenarios: [
      { kind: 'fires', name: `${humanizePercentage(low / r.testTotal)} free`, series: filesystem(r, steady(low)), activeAtMinutes: 0, labels: TEST_FS, value: low / r.testTotal },
      { kind: 'quiet', name: `${humanizePercentage(ok / r.testTotal)} free`, series: filesystem(r, steady(ok)) },
      { kind: 'quiet', name: `${humanizePercentage(low / r.testTotal)} free, but mounted read-only`, series: filesystem(r, steady(low), 1) },
    ],
  });
}

/** How long a remount stays visible: a read-only mount that was writable at some point this day. */
const REMOUNT_WINDOW = '1d';

function readOnlyAlert(): AlertDefinition {
  const ro = (values: (samples: number) => string): InputSeries[] => [input(readonly, TEST_FS, values)];
  return defineAlert({
    name: 'HostFilesystemReadOnly',
    family: 'HostFilesystemReadOnly',
    severity: 'critical',
    for: '5m',
    // Read-only now and writable at some point of the last day: a remount, not a filesystem that is
    // read-only by design (Container-Optimized OS's root, a mounted image), which never alerts.
    expr: and(eq(readonly.select(FS), 1), eq(minOverTime(readonly.range(REMOUNT_WINDOW, FS)), 0)),
    valueFormat: 'number',
    summary: (v) => `Host ${v.label('instance')}: ${v.label('mountpoint')} was remounted read-only`,
    description: (v) =>
      `Filesystem ${v.label('device')} on ${v.label('mountpoint')} of host ${v.label('instance')} is read-only (node_filesystem_readonly = ${v.value}) after being writable within the last ${REMOUNT_WINDOW}. The kernel does this after I/O or filesystem errors; every write to it fails. The alert stops ${REMOUNT_WINDOW} after the remount even if nothing was fixed.`,
    dashboard: 'serviceOverview',
    dashboardVariables: {},
    runbook: {
      meaning: 'The kernel remounted a filesystem read-only, almost always because it hit I/O errors or found corruption (ext4 `errors=remount-ro`). Everything that writes there fails: databases, Prometheus, logs. The disk may be failing.',
      causes: [
        'A failing disk or a detached network volume (cloud disk, iSCSI, NFS) returning I/O errors.',
        'Filesystem corruption detected by the kernel.',
        'An operator remounting it read-only on purpose (maintenance).',
      ],
      checks: [
        'Read the kernel log on the host: `dmesg -T | grep -iE "remount|I/O error|EXT4-fs error|XFS"`.',
        'Confirm the mount options: `findmnt <mountpoint>` shows `ro`.',
        'For a cloud volume, check its state in the provider console (detached, degraded).',
      ],
      fixes: [
        'Move workloads off the host (cordon and drain on kubernetes) before data is lost.',
        'Replace the failing disk or volume; run fsck on the unmounted filesystem, then remount read-write.',
        'Restore from backup if the filesystem is damaged.',
      ],
    },
    scenarios: [
      {
        kind: 'fires',
        name: 'writable for 10 minutes, then read-only',
        series: ro(segments({ minutes: 10, from: 0, perMinute: 0 }, { minutes: 0, from: 1, perMinute: 0 })),
        activeAtMinutes: 10,
        labels: TEST_FS,
        value: 1,
      },
      { kind: 'quiet', name: 'read-only throughout (by design)', series: ro(steady(1)), evalAtMinutes: 30 },
      { kind: 'quiet', name: 'writable throughout', series: ro(steady(0)), evalAtMinutes: 30 },
    ],
  });
}

export const diskAlerts: AlertConcern = {
  group: 'observatory-disk.alerts',
  alerts: (inputs) => [
    fillingUpAlert(inputs, 'space', 'warning'),
    fillingUpAlert(inputs, 'space', 'critical'),
    lowAlert(inputs, 'space', 'warning'),
    lowAlert(inputs, 'space', 'critical'),
    fillingUpAlert(inputs, 'inodes', 'warning'),
    fillingUpAlert(inputs, 'inodes', 'critical'),
    lowAlert(inputs, 'inodes', 'warning'),
    lowAlert(inputs, 'inodes', 'critical'),
    readOnlyAlert(),
  ],
};
