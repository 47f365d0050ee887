/** What every generator returns: files, by path relative to generated/<stack>/. */
import type { Catalog } from '../catalog';
import type { StackConfig } from '../stacks/config/schema';
import type { SecretKey } from '../stacks/config/secrets';

export interface Artifact {
  /** POSIX path relative to generated/<stack>/, e.g. "prometheus/prometheus.yml". */
  readonly path: string;
  readonly content: string;
}

export interface RenderOptions {
  /**
   * Replace every alert's `for` with this duration. Only for the live test, which cannot wait
   * 5-10 minutes per fault; never used for generated/ or deployments.
   */
  readonly alertForOverride?: string;
  /**
   * Secret values to write where placeholders would go. Only the Pulumi program passes them, and
   * only into Secrets; render (and so generated/) never has them.
   */
  readonly secrets?: Partial<Record<SecretKey, string>>;
}

export interface RenderContext {
  readonly config: StackConfig;
  readonly catalog: Catalog;
  readonly options: RenderOptions;
}
