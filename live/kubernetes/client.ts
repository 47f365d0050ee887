/**
 * A small client of the test API server over HTTPS (the test CA; a client certificate or a bearer
 * token): server-side apply, get, list, delete and the TokenRequest API. Object URLs come from the
 * API server's own discovery, so a kind the server does not serve is an error naming it.
 */
import * as fs from 'node:fs';
import * as https from 'node:https';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Credentials {
  readonly server: string;
  readonly caFile: string;
  /** Client certificate and key files; or a bearer token. */
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly token?: string;
}

/** A non-2xx answer: the HTTP status and the server's Status message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${reason}`);
    this.name = 'ApiError';
  }
}

interface Resource {
  readonly plural: string;
  readonly namespaced: boolean;
}

/** "Deployment apps/v1 observatory/prometheus": how a failure names an object. */
export function describeObject(o: Pick<KubeObject, 'kind' | 'metadata'>): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

export class KubeClient {
  private readonly agent: https.Agent;
  private readonly resources = new Map<string, Resource>();

  constructor(readonly credentials: Credentials) {
    this.agent = new https.Agent({
      ca: fs.readFileSync(credentials.caFile),
      ...(credentials.certFile ? { cert: fs.readFileSync(credentials.certFile), key: fs.readFileSync(credentials.keyFile ?? '') } : {}),
      keepAlive: true,
    });
  }

  close(): void {
    this.agent.destroy();
  }

  /** Raw request; resolves with the parsed JSON body, rejects with ApiError on a non-2xx status. */
  async request<T = unknown>(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return (await this.requestWithWarnings<T>(method, urlPath, body, contentType)).body;
  }

  /** Like request, with the server's `Warning` headers (PodSecurity warns on workloads whose pods it would reject). */
  requestWithWarnings<T = unknown>(method: string, urlPath: string, body?: unknown, contentType = 'application/json'): Promise<{ body: T; warnings: string[] }> {
    const url = new URL(urlPath, this.credentials.server);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            Accept: 'application/json',
            ...(payload !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}),
            ...(this.credentials.token ? { Authorization: `Bearer ${this.credentials.token}` } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            const header = res.headers.warning;
            // RFC 7234 warnings: `299 - "message"`.
            const warnings = (Array.isArray(header) ? header : header ? [header] : []).map((w) => w.replace(/^\d{3} \S+ "(.*)"$/, '$1'));
            if (status >= 200 && status < 300) {
              let parsed: T;
              try {
                parsed = (text === '' ? {} : JSON.parse(text)) as T;
              } catch {
                parsed = text as T;
              }
              resolve({ body: parsed, warnings });
              return;
            }
            let reason = text.trim();
            try {
              const s = JSON.parse(text) as { message?: string; reason?: string };
              reason = s.message ?? s.reason ?? reason;
            } catch {
              // not a Status object; keep the text
            }
            reject(new ApiError(status, reason, text));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer within 30 s`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** The resource (plural, namespaced) of a kind, from the server's discovery of its group version. */
  async resource(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    const known = this.resources.get(key);
    if (known) return known;
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>('GET', base);
    for (const r of list.resources) if (!r.name.includes('/')) this.resources.set(`${apiVersion}/${r.kind}`, { plural: r.name, namespaced: r.namespaced });
    const found = this.resources.get(key);
    if (!found) throw new Error(`the API server does not serve ${kind} in ${apiVersion}`);
    return found;
  }

  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return r.namespaced ? `${base}/namespaces/${encodeURIComponent(namespace ?? 'default')}/${r.plural}` : `${base}/${r.plural}`;
  }

  async objectPath(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<string> {
    return `${await this.collectionPath(o.apiVersion, o.kind, o.metadata.namespace)}/${encodeURIComponent(o.metadata.name)}`;
  }

  /** Server-side apply (conflicts forced, as `pulumi up` with its own field manager does). */
  async apply(o: KubeObject, fieldManager: string): Promise<KubeObject> {
    return (await this.applyWithWarnings(o, fieldManager)).body;
  }

  async applyWithWarnings(o: KubeObject, fieldManager: string): Promise<{ body: KubeObject; warnings: string[] }> {
    const p = await this.objectPath(o);
    return this.requestWithWarnings<KubeObject>('PATCH', `${p}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`, o, 'application/apply-patch+yaml');
  }

  async get<T = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T> {
    return this.request<T>('GET', `${await this.collectionPath(apiVersion, kind, namespace)}/${encodeURIComponent(name)}`);
  }

  /** Undefined when the object does not exist. */
  async getOrUndefined<T = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return await this.get<T>(apiVersion, kind, name, namespace);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return undefined;
      throw e;
    }
  }

  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const q = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : '';
    const r = await this.request<{ items: T[] }>('GET', `${await this.collectionPath(apiVersion, kind, namespace)}${q}`);
    return r.items;
  }

  /** Every object of a namespaced kind, in all namespaces. */
  async listAllNamespaces<T = KubeObject>(apiVersion: string, kind: string): Promise<T[]> {
    const r = await this.resource(apiVersion, kind);
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return (await this.request<{ items: T[] }>('GET', `${base}/${r.plural}`)).items;
  }

  /** Deletes in the background (dependents by the garbage collector); a missing object is fine. */
  async delete(o: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
    try {
      await this.request('DELETE', await this.objectPath(o), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }

  /** A bound token for a ServiceAccount (the TokenRequest API), as a kubelet would project it. */
  async serviceAccountToken(namespace: string, name: string, expirationSeconds = 3600): Promise<string> {
    const r = await this.request<{ status: { token: string } }>('POST', `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: { expirationSeconds },
    });
    return r.status.token;
  }
}
