/**
 * Settings that are valid but usually wrong: render prints them (`render: warning: ...`) and the
 * Pulumi program logs them as warnings on the resource, from this one list, so both say the same.
 */
import { memoryBytes } from '../quantity';
import type { AppConfig, StackConfig } from './schema';

export interface ConfigWarning {
  /** The key without the `observatory:` prefix, e.g. `apps[1].memoryTarget`. */
  readonly key: string;
  readonly message: string;
}

/**
 * An HPA memory target scales out when the average pod uses that share of its memory request, but
 * most runtimes (the JVM, Node.js, Go) keep memory they once used, so the HPA seldom scales back in;
 * an app resting above the target pins it at replicas.max.
 */
export function memoryTargetWarning(app: AppConfig, index: number): ConfigWarning | undefined {
  if (app.memoryTarget === undefined) return undefined;
  const request = app.resources.requests.memory;
  const mib = Math.floor((memoryBytes(request, `apps[${index}].resources.requests.memory`) * app.memoryTarget) / 100 / 2 ** 20);
  return {
    key: `apps[${index}].memoryTarget`,
    message: `(${app.memoryTarget}) scales ${app.name} out whenever its pods average more than ${mib}Mi (${app.memoryTarget}% of requests.memory ${request}); memory rarely falls when load does, so an app resting above that stays at replicas.max (${app.replicas.max}); prefer cpuTarget alone unless the app's memory follows its load`,
  };
}

export function configWarnings(config: StackConfig): ConfigWarning[] {
  if (config.target !== 'kubernetes') return []; // docker does not autoscale
  return config.apps.flatMap((app, i) => memoryTargetWarning(app, i) ?? []);
}

/** One line, as errors are written: `stack prod: observatory:<key>: <message>`. */
export function formatWarning(config: StackConfig, w: ConfigWarning): string {
  return `stack ${config.stack}: observatory:${w.key}: ${w.message}`;
}
