import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enginePath } from '@palisade/engines';
import { kubeAgent, type RawResponse, sendRequest } from './http.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { logTail, type SpawnedProcess, spawnLogged, stopProcessGroup, untrack } from './processes.js';

export interface KubeUser {
  name: string;
  token: string;
  /** path of a kubeconfig file for this user */
  kubeconfig: string;
}

export interface KubeResponse<T = unknown> {
  status: number;
  body: T;
  /** the API server's Warning headers, text only (299 "-" "text" -> text), in order */
  warnings: string[];
  headers: Record<string, string | string[] | undefined>;
}

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** query string params, e.g. { dryRun: 'All', fieldValidation: 'Strict' } */
  query?: Record<string, string>;
  body?: unknown;
  /** default 'admin' */
  as?: 'admin' | 'user';
  /** default application/json; use application/apply-patch+yaml for SSA */
  contentType?: string;
  timeoutMs?: number;
}

export interface KubeCluster {
  /** https://127.0.0.1:PORT */
  readonly server: string;
  readonly caFile: string;
  /** PEM */
  readonly ca: string;
  /** group system:masters */
  readonly admin: KubeUser;
  /** 'palisade-user', groups ['palisade-users'], no RBAC bindings (tests grant what they need) */
  readonly user: KubeUser;
  /** state directory */
  readonly dir: string;
  /** gitVersion from /version, e.g. v1.36.3 */
  readonly version: string;
  request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>>;
  /**
   * REST collection path of a kind, via discovery (cached; re-discovers on miss so newly installed CRDs resolve):
   * ('apps/v1','Deployment','ns') -> /apis/apps/v1/namespaces/ns/deployments. Cluster-scoped kinds ignore the
   * namespace; a namespaced kind without one gets its all-namespaces path. Throws naming the kind when the API
   * server does not serve it.
   */
  collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string>;
  /**
   * POSTs the object to its collection (namespace from metadata.namespace, default 'default' for namespaced kinds);
   * options.dryRun -> dryRun=All; fieldValidation default 'Strict'. Returns the response, never throws on 4xx.
   */
  create<T = unknown>(
    object: Record<string, unknown>,
    options?: { dryRun?: boolean; as?: 'admin' | 'user'; fieldValidation?: 'Strict' | 'Warn' | 'Ignore' },
  ): Promise<KubeResponse<T>>;
  /**
   * Create-or-replace for setup (namespaces, CRDs, policies): server-side apply with fieldManager
   * 'palisade-harness', force. Throws with the API's message on failure.
   */
  apply(object: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Waits until every CRD named is Established and its kind is in discovery (CRDs are installed with apply). */
  waitForCrds(names: readonly string[], timeoutMs?: number): Promise<void>;
  /**
   * Stops kube-apiserver (its process group, SIGTERM), waits `downMs` (default 0), and starts it again on the same
   * port with the same certificates, tokens and etcd; resolves once `/readyz` answers. For tests of clients that must
   * survive an API server restart.
   */
  restartApiServer(options?: { downMs?: number }): Promise<void>;
  /**
   * Compacts etcd to its current revision, as kube-apiserver's periodic compaction would after its interval: list
   * continue tokens and resourceVersions older than now can no longer be served from etcd (410 Gone, reason Expired).
   * Returns the revision compacted to. Kubernetes 1.34+ serves continue pages from the watch cache's snapshots
   * (feature ListFromCacheSnapshot), which outlive a compaction: a test that needs the token to expire at once starts
   * the cluster with `--feature-gates=ListFromCacheSnapshot=false`, as older servers behave.
   */
  compactEtcd(): Promise<number>;
  /** Idempotent; stops both processes (their process groups) and removes dir unless options.keep. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** extra kube-apiserver flags, e.g. ['--admission-control-config-file=...'] */
  apiserverArgs?: readonly string[];
  /** keep the state dir after stop (default false) */
  keep?: boolean;
  /** parent for the state dir (default os.tmpdir()) */
  baseDir?: string;
  log?: (line: string) => void;
}

/** For `pnpm cluster up`: a fixed state directory, and processes that outlive this one. */
export interface LaunchOptions extends StartClusterOptions {
  /** exact state directory (emptied first) instead of a fresh one under baseDir */
  dir?: string;
  /** do not kill the processes when this process exits */
  background?: boolean;
}

export interface LaunchedCluster extends KubeCluster {
  readonly etcdPid: number;
  /** the current kube-apiserver's pid (changes on restartApiServer) */
  readonly apiserverPid: number;
  readonly etcdLog: string;
  readonly apiserverLog: string;
}

const READY_TIMEOUT_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function startCluster(options: StartClusterOptions = {}): Promise<KubeCluster> {
  return launchCluster(options);
}

/** A free 127.0.0.1 port: bind port 0 and read it. Another process can take it before we use it (see retries). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

class PortRace extends Error {}

export async function launchCluster(options: LaunchOptions = {}): Promise<LaunchedCluster> {
  const log = options.log ?? (() => {});
  const etcdBinary = enginePath('etcd');
  const apiserverBinary = enginePath('kube-apiserver');
  let dir: string;
  if (options.dir !== undefined) {
    rmSync(options.dir, { recursive: true, force: true });
    mkdirSync(options.dir, { recursive: true });
    dir = options.dir;
  } else {
    const base = options.baseDir ?? tmpdir();
    mkdirSync(base, { recursive: true });
    dir = mkdtempSync(join(base, 'palisade-kube-'));
  }
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launchOnce(dir, etcdBinary, apiserverBinary, options, log);
      } catch (err) {
        if (!(err instanceof PortRace) || attempt >= 3) throw err;
        log(`port taken while starting (${err.message}); retrying with new ports`);
      }
    }
  } catch (err) {
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launchOnce(
  dir: string,
  etcdBinary: string,
  apiserverBinary: string,
  options: LaunchOptions,
  log: (line: string) => void,
): Promise<LaunchedCluster> {
  const started = Date.now();
  const background = options.background ?? false;
  const cleanupDir = background || options.keep ? undefined : dir;
  const spawnOptions = cleanupDir === undefined ? { background } : { background, cleanupDir };
  const [clientPort, peerPort, securePort] = await distinctPorts(3);
  const etcdLog = join(dir, 'etcd.log');
  const apiserverLog = join(dir, 'kube-apiserver.log');
  rmSync(join(dir, 'etcd'), { recursive: true, force: true });
  rmSync(etcdLog, { force: true });
  rmSync(apiserverLog, { force: true });

  const etcdUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = spawnLogged(
    'etcd',
    etcdBinary,
    [
      '--name=palisade',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=palisade=${peerUrl}`,
      // test data: durability is not worth an fsync per write
      '--unsafe-no-fsync',
      '--log-level=warn',
    ],
    etcdLog,
    spawnOptions,
  );
  const processes: SpawnedProcess[] = [etcd];
  const stopAll = async () => {
    for (const p of [...processes].reverse()) {
      untrack(p.pid);
      await stopProcessGroup(p.pid);
    }
  };
  try {
    await waitFor('etcd', READY_TIMEOUT_MS, processes, async () => {
      const res = await fetch(`${etcdUrl}/health`).catch(() => undefined);
      return res?.ok === true && ((await res.json()) as { health?: string }).health === 'true';
    });
    log(`etcd ready at ${etcdUrl} after ${Date.now() - started} ms`);

    const adminToken = randomBytes(24).toString('hex');
    const userToken = randomBytes(24).toString('hex');
    const tokenFile = join(dir, 'tokens.csv');
    // token,user,uid,"group1,group2"
    writeFileSync(
      tokenFile,
      `${adminToken},admin,palisade-admin,"system:masters"\n${userToken},palisade-user,palisade-user,"palisade-users"\n`,
      { mode: 0o600 },
    );
    const saKey = join(dir, 'service-account.key');
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    writeFileSync(saKey, privateKey, { mode: 0o600 });
    const certDir = join(dir, 'certs');
    mkdirSync(certDir, { recursive: true });

    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${securePort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${tokenFile}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${saKey}`,
      `--service-account-signing-key-file=${saKey}`,
      // room for the bench's 2,500 Services at 50,000 objects (a /24 holds 254)
      '--service-cluster-ip-range=10.0.0.0/16',
      // no controller-manager mints service-account tokens, so Pods naming one would be rejected
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      ...(options.apiserverArgs ?? []),
    ];
    const spawnApiserver = () =>
      spawnLogged('kube-apiserver', apiserverBinary, apiserverArgs, apiserverLog, spawnOptions);
    let apiserver = spawnApiserver();
    processes.push(apiserver);

    const server = `https://127.0.0.1:${securePort}`;
    const caFile = join(certDir, 'apiserver.crt');
    let agent: ReturnType<typeof kubeAgent> | undefined;
    const apiserverReady = async () => {
      if (!existsSync(caFile)) return false;
      agent ??= kubeAgent(readFileSync(caFile, 'utf8'));
      const res = await sendRequest(agent, {
        method: 'GET',
        url: new URL('/readyz', server),
        token: adminToken,
        contentType: 'application/json',
        timeoutMs: 5_000,
      }).catch(() => undefined);
      return res?.status === 200;
    };
    await waitFor('kube-apiserver /readyz', READY_TIMEOUT_MS, processes, apiserverReady);
    const readyMs = Date.now() - started;
    log(`kube-apiserver ready at ${server} after ${readyMs} ms`);
    if (agent === undefined) throw new Error('unreachable: agent is set once /readyz answered');
    const ca = readFileSync(caFile, 'utf8');

    const admin: KubeUser = { name: 'admin', token: adminToken, kubeconfig: join(dir, 'admin.kubeconfig') };
    const user: KubeUser = {
      name: 'palisade-user',
      token: userToken,
      kubeconfig: join(dir, 'user.kubeconfig'),
    };
    for (const u of [admin, user]) {
      writeFileSync(u.kubeconfig, kubeconfigYaml({ server, ca, user: u.name, token: u.token }), {
        mode: 0o600,
      });
    }

    const client = new Client(server, agent, { admin: adminToken, user: userToken });
    // The bootstrap controller creates 'default' shortly after /readyz; tests rely on it.
    await waitFor('namespace default', 30_000, processes, async () => {
      const res = await client
        .request({ method: 'GET', path: '/api/v1/namespaces/default' })
        .catch(() => undefined);
      return res?.status === 200;
    });
    const versionRes = await client.request<{ gitVersion?: string }>({ method: 'GET', path: '/version' });
    const version = versionRes.body.gitVersion ?? '';

    // Serialised, so a restart racing stop() cannot leave a new apiserver behind.
    let restarting: Promise<void> = Promise.resolve();
    const restartApiServer = ({ downMs = 0 }: { downMs?: number } = {}): Promise<void> => {
      restarting = restarting.then(async () => {
        if (stopping) throw new Error('restartApiServer: the cluster is stopping');
        untrack(apiserver.pid);
        await stopProcessGroup(apiserver.pid);
        await sleep(downMs);
        if (stopping) return;
        // The cert dir keeps its self-signed certificate, so the CA and every kubeconfig stay valid.
        apiserver = spawnApiserver();
        processes[processes.length - 1] = apiserver;
        await waitFor('kube-apiserver /readyz after restart', READY_TIMEOUT_MS, processes, apiserverReady);
        log(`kube-apiserver restarted at ${server}`);
      });
      return restarting;
    };
    const compactEtcd = async (): Promise<number> => {
      // etcd's gRPC gateway: a range read gives the current revision in its header; compact to it.
      const post = async (path: string, body: unknown) => {
        const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
        const json = (await res.json()) as { header?: { revision?: string }; message?: string };
        if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${json.message ?? ''}`);
        return json;
      };
      const range = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 });
      const revision = Number(range.header?.revision);
      if (!Number.isSafeInteger(revision) || revision <= 0) throw new Error('etcd: no current revision');
      await post('/v3/kv/compaction', { revision, physical: true });
      return revision;
    };
    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        await stopAll();
        agent?.destroy();
        if (!options.keep && !background) rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    };
    const cluster: LaunchedCluster = {
      server,
      caFile,
      ca,
      admin,
      user,
      dir,
      version,
      etcdPid: etcd.pid,
      get apiserverPid() {
        return apiserver.pid;
      },
      etcdLog,
      apiserverLog,
      request: (req) => client.request(req),
      collectionPath: (apiVersion, kind, namespace) => client.collectionPath(apiVersion, kind, namespace),
      create: (object, createOptions) => client.create(object, createOptions),
      apply: (object) => client.apply(object),
      waitForCrds: (names, timeoutMs) => client.waitForCrds(names, timeoutMs),
      restartApiServer,
      compactEtcd,
      stop,
    };
    return cluster;
  } catch (err) {
    const tails = processes
      .map((p) => `--- ${p.name}: ${p.logFile} (last lines)\n${logTail(p.logFile)}`)
      .join('\n');
    await stopAll().catch(() => {});
    if (/address already in use/.test(tails)) throw new PortRace(String((err as Error).message));
    if (err instanceof Error && !err.message.includes('--- ')) err.message = `${err.message}\n${tails}`;
    throw err;
  }
}

async function distinctPorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/** Polls `ready` every 100 ms; fails early when a process has exited, and names what it waited for on timeout. */
async function waitFor(
  what: string,
  timeoutMs: number,
  processes: readonly SpawnedProcess[],
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const exits = processes.map((p) => p.exited.then((how) => ({ p, how })));
  let exited: { p: SpawnedProcess; how: string } | undefined;
  for (const e of exits)
    void e.then((v) => {
      exited ??= v;
    });
  for (;;) {
    if (exited) throw new Error(`waiting for ${what}: ${exited.p.name} exited (${exited.how})`);
    if (await ready()) return;
    if (Date.now() > deadline) throw new Error(`waiting for ${what}: not ready after ${timeoutMs} ms`);
    await sleep(100);
  }
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

class Client {
  private readonly discovery = new Map<string, ApiResource[] | undefined>();

  constructor(
    private readonly server: string,
    private readonly agent: ReturnType<typeof kubeAgent>,
    private readonly tokens: { admin: string; user: string },
  ) {}

  async request<T = unknown>(req: KubeRequest): Promise<KubeResponse<T>> {
    const url = new URL(req.path, this.server);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    const res: RawResponse = await sendRequest(this.agent, {
      method: req.method,
      url,
      token: this.tokens[req.as ?? 'admin'],
      contentType: req.contentType ?? 'application/json',
      body: req.body,
      timeoutMs: req.timeoutMs ?? 30_000,
    });
    return res as KubeResponse<T>;
  }

  private async resources(groupVersion: string, refresh: boolean): Promise<ApiResource[] | undefined> {
    if (!refresh && this.discovery.has(groupVersion)) return this.discovery.get(groupVersion);
    const path = groupVersion === 'v1' ? '/api/v1' : `/apis/${groupVersion}`;
    const res = await this.request<{ resources?: ApiResource[] }>({ method: 'GET', path });
    if (res.status === 404) {
      this.discovery.set(groupVersion, undefined);
      return undefined;
    }
    if (res.status !== 200) throw new Error(`discovery ${path}: ${res.status} ${messageOf(res.body)}`);
    const list = (res.body.resources ?? []).filter((r) => !r.name.includes('/'));
    this.discovery.set(groupVersion, list);
    return list;
  }

  async resolve(apiVersion: string, kind: string): Promise<ApiResource & { prefix: string }> {
    const prefix = apiVersion === 'v1' ? '/api/v1' : `/apis/${apiVersion}`;
    let found = (await this.resources(apiVersion, false))?.find((r) => r.kind === kind);
    found ??= (await this.resources(apiVersion, true))?.find((r) => r.kind === kind);
    if (!found) throw new Error(`the API server does not serve kind ${kind} in ${apiVersion}`);
    return { ...found, prefix };
  }

  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const r = await this.resolve(apiVersion, kind);
    if (!r.namespaced || namespace === undefined) return `${r.prefix}/${r.name}`;
    return `${r.prefix}/namespaces/${encodeURIComponent(namespace)}/${r.name}`;
  }

  private async objectPaths(object: Record<string, unknown>): Promise<{ collection: string; kind: string }> {
    const apiVersion = object.apiVersion;
    const kind = object.kind;
    if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
      throw new Error('object needs string apiVersion and kind');
    }
    const r = await this.resolve(apiVersion, kind);
    const metadata = (object.metadata ?? {}) as { namespace?: unknown };
    const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : 'default';
    const collection = r.namespaced
      ? `${r.prefix}/namespaces/${encodeURIComponent(namespace)}/${r.name}`
      : `${r.prefix}/${r.name}`;
    return { collection, kind };
  }

  async create<T = unknown>(
    object: Record<string, unknown>,
    options: { dryRun?: boolean; as?: 'admin' | 'user'; fieldValidation?: 'Strict' | 'Warn' | 'Ignore' } = {},
  ): Promise<KubeResponse<T>> {
    const { collection } = await this.objectPaths(object);
    const query: Record<string, string> = { fieldValidation: options.fieldValidation ?? 'Strict' };
    if (options.dryRun) query.dryRun = 'All';
    return this.request<T>({
      method: 'POST',
      path: collection,
      query,
      body: object,
      as: options.as ?? 'admin',
    });
  }

  async apply(object: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { collection, kind } = await this.objectPaths(object);
    const name = (object.metadata as { name?: unknown } | undefined)?.name;
    if (typeof name !== 'string' || name === '') throw new Error(`apply ${kind}: metadata.name is required`);
    const res = await this.request<Record<string, unknown>>({
      method: 'PATCH',
      path: `${collection}/${encodeURIComponent(name)}`,
      query: { fieldManager: 'palisade-harness', force: 'true', fieldValidation: 'Strict' },
      // JSON is YAML, so the apply patch can be the object as JSON.
      contentType: 'application/apply-patch+yaml',
      body: object,
    });
    if (res.status < 200 || res.status >= 300) {
      throw new Error(`apply ${kind} ${name}: ${res.status} ${messageOf(res.body)}`);
    }
    return res.body;
  }

  async waitForCrds(names: readonly string[], timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(names);
    let last = '';
    while (pending.size > 0) {
      for (const name of [...pending]) {
        const res = await this.request<CrdStatus>({
          method: 'GET',
          path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}`,
        });
        if (res.status !== 200) {
          last = `${name}: ${res.status} ${messageOf(res.body)}`;
          continue;
        }
        const established = res.body.status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        );
        if (!established) {
          last = `${name}: not Established`;
          continue;
        }
        // Established can come a moment before discovery lists the kind; wait for that too so collectionPath works.
        const spec = res.body.spec;
        const served = spec?.versions?.filter((v) => v.served).map((v) => `${spec.group}/${v.name}`) ?? [];
        let discovered = true;
        for (const gv of served) {
          const list = await this.resources(gv, true);
          if (!list?.some((r) => r.kind === spec?.names?.kind)) discovered = false;
        }
        if (!discovered) {
          last = `${name}: not yet in discovery`;
          continue;
        }
        pending.delete(name);
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`CRDs not established after ${timeoutMs} ms: ${[...pending].join(', ')} (${last})`);
      }
      await sleep(100);
    }
  }
}

interface CrdStatus {
  spec?: { group: string; names?: { kind?: string }; versions?: { name: string; served: boolean }[] };
  status?: { conditions?: { type: string; status: string }[] };
}

function messageOf(body: unknown): string {
  if (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { message?: unknown }).message === 'string'
  ) {
    return (body as { message: string }).message;
  }
  return typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body).slice(0, 500);
}
