/**
 * Routing rendered artifacts to the services that ship them, and the checks that must pass before
 * any resource exists: every artifact has a destination, secret placeholders only travel in
 * secret routes, required files exist. Pure: no Pulumi.
 */
import { ObservatoryError } from '../catalog/errors';
import type { Artifact } from '../generators/artifact';
import { SECRET_KEYS, secretPlaceholder } from './config/secrets';
import { ARTIFACT_ROUTES, REQUIRED_ARTIFACTS, UNSHIPPED_PREFIXES, type ArtifactRoute } from './paths';

/** One file as a service receives it. */
export interface ShippedFile {
  /** Path relative to the route's prefix, e.g. "observatory-http.recording.yml". */
  readonly relPath: string;
  /** Absolute path in the container. */
  readonly containerPath: string;
  readonly content: string;
  /** The artifact it came from, e.g. "prometheus/rules/observatory-http.recording.yml". */
  readonly artifactPath: string;
}

export function routeOf(artifactPath: string): ArtifactRoute | undefined {
  let best: ArtifactRoute | undefined;
  for (const r of ARTIFACT_ROUTES) {
    if (artifactPath.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  return best;
}

const PLACEHOLDER = /\$\{secret:[A-Za-z]+\}/;

/** Whether text still holds a `${secret:<key>}` placeholder (for every key render knows). */
export function hasSecretPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text) || SECRET_KEYS.some((k) => text.includes(secretPlaceholder(k)));
}

/**
 * Checks a placeholder render (what generated/ holds) before anything is deployed. Throws one
 * ObservatoryError naming the artifact and the problem.
 */
export function checkArtifacts(stack: string, artifacts: readonly Artifact[]): void {
  const paths = new Set(artifacts.map((a) => a.path));
  for (const required of REQUIRED_ARTIFACTS) {
    if (!paths.has(required)) throw new ObservatoryError(`stack ${stack}: ${required}`, 'was not rendered; the service that reads it cannot start without it');
  }
  for (const a of artifacts) {
    if (UNSHIPPED_PREFIXES.some((p) => a.path.startsWith(p))) continue;
    const route = routeOf(a.path);
    if (!route) {
      throw new ObservatoryError(`stack ${stack}: ${a.path}`, 'has no destination; add its prefix to ARTIFACT_ROUTES or UNSHIPPED_PREFIXES in stacks/paths.ts');
    }
    if (!route.secret && hasSecretPlaceholder(a.content)) {
      throw new ObservatoryError(`stack ${stack}: ${a.path}`, `holds a secret placeholder but ${route.prefix} is shipped in plain ConfigMaps/uploads; render secrets only into a secret route`);
    }
  }
}

/** The files under `prefix` (a route prefix), in path order. */
export function filesUnder(artifacts: readonly Artifact[], prefix: string): ShippedFile[] {
  const route = ARTIFACT_ROUTES.find((r) => r.prefix === prefix);
  if (!route) throw new Error(`no artifact route ${prefix}`);
  return artifacts
    .filter((a) => routeOf(a.path) === route)
    .map((a) => {
      const relPath = a.path.slice(prefix.length);
      return { relPath, containerPath: `${route.dir}/${relPath}`, content: a.content, artifactPath: a.path };
    })
    .sort((x, y) => (x.relPath < y.relPath ? -1 : x.relPath > y.relPath ? 1 : 0));
}

/** After a render with secret values: every placeholder must have been substituted. */
export function assertNoPlaceholders(stack: string, files: readonly Artifact[]): void {
  for (const f of files) {
    if (hasSecretPlaceholder(f.content)) {
      throw new ObservatoryError(`stack ${stack}: ${f.path}`, 'still holds a secret placeholder after rendering with secrets; is the secret set (`pulumi config set --secret ...`)?');
    }
  }
}
