/** kubeconfig files for the test cluster: one user per component, certificates or a bearer token. */
import * as fs from 'node:fs';
import * as yaml from 'js-yaml';
import type { Credentials } from './client';

export function writeKubeconfig(file: string, user: string, credentials: Credentials): string {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'observatory-test', cluster: { server: credentials.server, 'certificate-authority': credentials.caFile } }],
    users: [
      {
        name: user,
        user: credentials.token ? { token: credentials.token } : { 'client-certificate': credentials.certFile, 'client-key': credentials.keyFile },
      },
    ],
    contexts: [{ name: user, context: { cluster: 'observatory-test', user } }],
    'current-context': user,
  };
  fs.writeFileSync(file, yaml.dump(doc), { mode: 0o600 });
  return file;
}
