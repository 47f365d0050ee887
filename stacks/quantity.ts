/**
 * Kubernetes quantities (what stack config and stacks/resources.ts use) converted for Docker,
 * whose provider takes memory in MiB and CPUs as a decimal string.
 */
import { ObservatoryError } from '../catalog/errors';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { k: 1e3, M: 1e6, G: 1e9, T: 1e12, '': 1 };

/** Bytes in a memory quantity such as 256Mi, 1G or 134217728. */
export function memoryBytes(quantity: string, key: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(quantity);
  if (!m) throw new ObservatoryError(key, `"${quantity}" is not a memory quantity such as 256Mi or 1Gi`);
  const unit = m[2] ?? '';
  return Math.floor(Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit]));
}

/** Docker refuses memory limits below 6 MiB. */
const DOCKER_MIN_MEMORY_MIB = 6;

/** Memory in whole MiB, as docker.Container `memory` expects. */
export function memoryMiB(quantity: string, key: string): number {
  const mib = Math.floor(memoryBytes(quantity, key) / 2 ** 20);
  if (mib < DOCKER_MIN_MEMORY_MIB) throw new ObservatoryError(key, `"${quantity}" is below Docker's minimum memory limit of ${DOCKER_MIN_MEMORY_MIB}Mi`);
  return mib;
}

/** Millicores in a CPU quantity such as 500m or 2. */
export function cpuMillicores(quantity: string, key: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(m)?$/.exec(quantity);
  if (!m) throw new ObservatoryError(key, `"${quantity}" is not a CPU quantity such as 500m or 2`);
  return m[2] ? Number(m[1]) : Number(m[1]) * 1000;
}

/** CPUs as a decimal string ("500m" -> "0.5", "2" -> "2"), as docker.Container `cpus` expects. */
export function cpuString(quantity: string, key: string): string {
  const milli = cpuMillicores(quantity, key);
  if (milli <= 0) throw new ObservatoryError(key, `"${quantity}" must be more than zero`);
  // Millicores have at most 3 decimals; trim the float noise.
  return String(Math.round(milli) / 1000);
}
