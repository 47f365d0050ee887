/** Every dashboard of a stack as dashboards/<uid>.json. (Filled in by the dashboards work.) */
import type { Artifact, RenderContext } from '../generators/artifact';

export function dashboardArtifacts(_ctx: RenderContext): Artifact[] {
  return [];
}
