/**
 * How people reach Grafana must agree with the URL Grafana believes it has. With an https
 * root_url Grafana marks its session cookie Secure (GF_SECURITY_COOKIE_SECURE, stacks/recipes.ts),
 * and a browser never sends a Secure cookie over plain HTTP: every login bounces back to the login
 * page. Its links and redirects are built from root_url too, so a root_url on another host than the
 * Ingress sends people elsewhere.
 */
import type { Fail } from './checks';
import type { StackConfig } from './schema';

export function checkGrafanaAccess(config: StackConfig, fail: Fail): void {
  const { rootUrl, ingress } = config.grafana;
  const url = new URL(rootUrl);
  const https = url.protocol === 'https:';
  if (config.target !== 'kubernetes') {
    if (ingress !== undefined) fail('grafana.ingress', `is for kubernetes stacks; on docker Grafana is published on docker.bindAddress, port docker.ports.grafana (${config.docker.ports.grafana})`);
    return;
  }
  const serviceType = config.serviceTypes.grafana;
  if (serviceType !== 'ClusterIP' && https) {
    fail(
      'serviceTypes.grafana',
      `(${serviceType}) serves Grafana over plain HTTP on port 3000, but grafana.rootUrl (${rootUrl}) is https: Grafana then sets a Secure login cookie that browsers never send over HTTP, so nobody can log in; keep ClusterIP and set grafana.ingress (host, tlsSecretName) for TLS, or set grafana.rootUrl to the http:// address`,
    );
  }
  if (ingress === undefined) return;
  if (url.hostname !== ingress.host) {
    fail('grafana.rootUrl', `(${rootUrl}) must be on grafana.ingress.host (${ingress.host}): Grafana builds its links and redirects from it; leave rootUrl unset to derive it`);
  }
  if (!https && ingress.tlsSecretName !== undefined) {
    fail('grafana.rootUrl', `(${rootUrl}) is http:// but grafana.ingress.tlsSecretName makes the Ingress serve https://${ingress.host}; write https:// (or leave rootUrl unset)`);
  }
  if (url.pathname !== '/' || url.search !== '') {
    fail('grafana.rootUrl', `(${rootUrl}) has a path, but the Ingress serves Grafana at the root of ${ingress.host}; use the bare https://${ingress.host}`);
  }
}
