/**
 * Shipped files as ConfigMap/Secret data plus the volume `items` that put each key back at its
 * relative path (keys cannot contain "/"). Enforces the API server's 1 MiB object limit up front,
 * so an oversized dashboard fails `pulumi up` with its name instead of a rejected apply halfway.
 */
import { ObservatoryError } from '../../catalog/errors';
import type { ShippedFile } from '../artifacts';

/** etcd's object limit as the API server enforces it for ConfigMap and Secret data (keys + values). */
export const CONFIGMAP_MAX_BYTES = 1024 * 1024;

export interface VolumeData {
  /** Key -> file content. */
  readonly data: Record<string, string>;
  /** Key -> relative path, for `configMap.items` / `secret.items`. */
  readonly items: { key: string; path: string }[];
  /** Bytes the API server counts against the limit. */
  readonly bytes: number;
}

const KEY = /^[-._a-zA-Z0-9]+$/;

/** `what` names the object in errors, e.g. "stack prod: dashboards/obs-api-performance.json". */
export function buildVolumeData(files: readonly ShippedFile[], what: string): VolumeData {
  const data: Record<string, string> = {};
  const items: { key: string; path: string }[] = [];
  const from = new Map<string, string>();
  let bytes = 0;
  for (const f of files) {
    const key = f.relPath.split('/').join('.');
    if (!KEY.test(key)) throw new ObservatoryError(f.artifactPath, `cannot be a ConfigMap key (${key}); use letters, digits, "-", "_" and "." in artifact file names`);
    const clash = from.get(key);
    if (clash !== undefined) throw new ObservatoryError(f.artifactPath, `maps to the same ConfigMap key "${key}" as ${clash}; rename one of them`);
    from.set(key, f.artifactPath);
    data[key] = f.content;
    items.push({ key, path: f.relPath });
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(f.content, 'utf8');
  }
  if (bytes > CONFIGMAP_MAX_BYTES) {
    const largest = [...files].sort((a, b) => Buffer.byteLength(b.content) - Buffer.byteLength(a.content))[0];
    throw new ObservatoryError(
      what,
      `is ${bytes} bytes but a ConfigMap or Secret holds at most ${CONFIGMAP_MAX_BYTES} bytes (1 MiB); the largest file is ${largest.artifactPath} (${Buffer.byteLength(largest.content)} bytes) — split it up`,
    );
  }
  return { data, items, bytes };
}
