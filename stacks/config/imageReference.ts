/**
 * Docker image references as the engine and the kubelet parse them (the distribution/reference
 * grammar): `[registry[:port]/]path[:tag][@sha256:digest]`, with lower-case path components.
 * A reference the runtime cannot parse is refused here, while the config is read, rather than
 * by the image pull in the middle of a deployment.
 */

/** One path component: lower-case alphanumerics joined by ".", "_", "__" or runs of "-". */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host: DNS labels (any case) or an IPv4 address, optionally with a port. */
const REGISTRY = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::([0-9]+))?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Why `ref` is not a valid image reference, or undefined when it is. */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref.length === 0) return 'is empty';
  if (/\s/.test(ref)) return `"${ref}" contains white space; an image reference is repo/name:tag`;
  if (ref.length > 255) return `"${ref.slice(0, 40)}..." is longer than 255 characters`;
  let rest = ref;
  const at = rest.indexOf('@');
  if (at >= 0) {
    if (!DIGEST.test(rest.slice(at + 1))) return `"${ref}" has a malformed digest (expected @sha256: and 64 lower-case hex digits)`;
    rest = rest.slice(0, at);
  }
  const parts = rest.split('/');
  // The first part is a registry when it looks like a host (a dot, a port or localhost).
  const first = parts[0];
  if (parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    const m = REGISTRY.exec(first);
    if (!m) return `"${ref}": "${first}" is not a registry host[:port]`;
    if (m[1] !== undefined && Number(m[1]) > 65535) return `"${ref}": registry port ${m[1]} is above 65535`;
    parts.shift();
  }
  const last = parts[parts.length - 1];
  const colon = last.indexOf(':');
  if (colon >= 0) {
    const tag = last.slice(colon + 1);
    if (!TAG.test(tag)) return `"${ref}": tag "${tag}" may hold only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")`;
    parts[parts.length - 1] = last.slice(0, colon);
  }
  for (const c of parts) {
    if (!COMPONENT.test(c)) {
      return /[A-Z]/.test(c)
        ? `"${ref}": repository names must be lower case ("${c}")`
        : `"${ref}": "${c}" is not a repository path component (lower-case letters and digits, separated by ".", "_" or "-")`;
    }
  }
  return undefined;
}
