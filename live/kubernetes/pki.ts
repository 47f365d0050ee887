/**
 * The test cluster's certificates, made by openssl for one run: a CA, the API server's serving
 * certificate (127.0.0.1 and the in-cluster names), one client certificate per component (its
 * user and groups in CN and O, which is how the API server's x509 authenticator names it), and
 * the service-account signing key pair. EC P-256 keys: quick to make, accepted everywhere.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { binary } from '../binaries';

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface ClusterPki {
  readonly dir: string;
  readonly caCert: string;
  readonly server: KeyPair;
  /** Client certificates by component name. */
  readonly clients: Readonly<Record<ClientName, KeyPair>>;
  readonly serviceAccountKey: string;
  readonly serviceAccountPub: string;
}

/**
 * Who each component is to the API server. Controller manager and scheduler have their built-in
 * RBAC users; kwok updates every node's and pod's status (a kubelet's part for all nodes at once),
 * so it and the test's admin are in system:masters.
 */
export const CLIENTS = {
  admin: { cn: 'observatory-test-admin', groups: ['system:masters'] },
  controllerManager: { cn: 'system:kube-controller-manager', groups: [] },
  scheduler: { cn: 'system:kube-scheduler', groups: [] },
  kwok: { cn: 'kwok-controller', groups: ['system:masters'] },
} as const;

export type ClientName = keyof typeof CLIENTS;

function openssl(args: readonly string[], cwd: string): void {
  execFileSync(binary('openssl'), [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function signed(dir: string, name: string, subject: string, extensions: string): KeyPair {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, extensions);
  openssl(['req', '-new', ...EC, '-keyout', key, '-out', `${name}.csr`, '-subj', subject], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', cert, '-extfile', ext], dir);
  return { cert, key };
}

export function makePki(dir: string): ClusterPki {
  fs.mkdirSync(dir, { recursive: true });
  openssl(
    ['req', '-x509', ...EC, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=observatory-test-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    dir,
  );
  const serverNames = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const server = signed(
    dir,
    'apiserver',
    '/CN=kube-apiserver',
    `subjectAltName=IP:127.0.0.1,${serverNames.map((n) => `DNS:${n}`).join(',')}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature\n`,
  );
  const clients = Object.fromEntries(
    (Object.keys(CLIENTS) as ClientName[]).map((name) => {
      const { cn, groups } = CLIENTS[name];
      const subject = `${groups.map((g) => `/O=${g}`).join('')}/CN=${cn}`;
      return [name, signed(dir, `client-${name}`, subject, 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n')];
    }),
  ) as Record<ClientName, KeyPair>;
  const serviceAccountKey = path.join(dir, 'sa.key');
  const serviceAccountPub = path.join(dir, 'sa.pub');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', serviceAccountKey], dir);
  openssl(['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPub], dir);
  return { dir, caCert: path.join(dir, 'ca.crt'), server, clients, serviceAccountKey, serviceAccountPub };
}
