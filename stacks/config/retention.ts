/**
 * How much of its volume Prometheus may fill. `--storage.tsdb.retention.size` counts the blocks,
 * the WAL and the head chunks; a compaction writes its new block before it deletes the blocks it
 * replaces, and the volume's file system keeps some space of its own, so the bound must leave
 * headroom or Prometheus runs out of disk before retention deletes anything.
 */
import { ObservatoryError } from '../../catalog/errors';
import { memoryBytes } from '../quantity';

/** Prometheus byte sizes are base 2 (its units.Base2Bytes): 1KB = 1024 B. */
const PROMETHEUS_BYTE_UNITS: Record<string, number> = { B: 1, KB: 2 ** 10, MB: 2 ** 20, GB: 2 ** 30, TB: 2 ** 40 };

/**
 * Default retention.size as a share of storage.prometheus: 80 GB on 100Gi. Raise it only towards
 * RETENTION_SIZE_MAX_SHARE, and only with a volume that has few, small blocks to compact.
 */
export const RETENTION_SIZE_DEFAULT_SHARE = 0.8;

/** The most a stack may set: 85%. Above it the largest compaction can fill the volume. */
export const RETENTION_SIZE_MAX_SHARE = 0.85;

export function prometheusBytes(size: string): number {
  const m = /^([0-9]+)(B|KB|MB|GB|TB)$/.exec(size);
  if (!m) throw new Error(`"${size}" is not a Prometheus byte size`);
  return Number(m[1]) * PROMETHEUS_BYTE_UNITS[m[2]];
}

/** A Prometheus byte size no larger than `bytes`: whole GB when exact, else whole MB (rounded down). */
export function prometheusSize(bytes: number): string {
  if (bytes % PROMETHEUS_BYTE_UNITS.GB === 0) return `${bytes / PROMETHEUS_BYTE_UNITS.GB}GB`;
  return `${Math.floor(bytes / PROMETHEUS_BYTE_UNITS.MB)}MB`;
}

/** retention.size when the stack sets none: RETENTION_SIZE_DEFAULT_SHARE of the volume. `key` names the volume in errors. */
export function defaultRetentionSize(volume: string, key: string): string {
  const bytes = memoryBytes(volume, key);
  if (bytes < PROMETHEUS_BYTE_UNITS.MB) throw new ObservatoryError(key, `(${volume}) is too small for a Prometheus volume`);
  // In whole percent: integer arithmetic, so 80% of 20Gi is exactly 16GB.
  return prometheusSize(Math.floor((bytes * Math.round(RETENTION_SIZE_DEFAULT_SHARE * 100)) / 100));
}
