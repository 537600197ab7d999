import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LaunchedCluster, launchCluster } from './cluster.js';
import { parseWarningHeader } from './http.js';
import { isProcessRunning } from './processes.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitGone(pids: readonly number[], timeoutMs = 15_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(isProcessRunning);
  while (alive.length > 0 && Date.now() < deadline) {
    await sleep(100);
    alive = pids.filter(isProcessRunning);
  }
  return alive;
}

function run(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const POD = (name: string, namespace: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1.0' }] },
});

describe('startCluster', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let c: LaunchedCluster;
  beforeAll(async () => {
    c = await launchCluster();
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => c?.stop());

  it('serves v1.36.3 on 127.0.0.1 with the default namespace and both kubeconfigs', async () => {
    expect(c.version).toBe('v1.36.3');
    expect(c.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect((await c.request({ method: 'GET', path: '/readyz' })).status).toBe(200);
    expect((await c.request({ method: 'GET', path: '/api/v1/namespaces/default' })).status).toBe(200);
    for (const u of [c.admin, c.user]) {
      const text = readFileSync(u.kubeconfig, 'utf8');
      expect(text).toContain(`server: "${c.server}"`);
      expect(text).toContain(`token: "${u.token}"`);
      const caData = /certificate-authority-data: "([^"]+)"/.exec(text)?.[1] ?? '';
      expect(Buffer.from(caData, 'base64').toString('utf8')).toBe(c.ca);
    }
    expect(c.user.name).toBe('palisade-user');
  });

  it('lets admin create a namespace and a Pod, dry-run and real', async () => {
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'harness-admin' } });
    const dry = await c.create(POD('dry', 'harness-admin'), { dryRun: true });
    expect(dry.status).toBe(201);
    const podPath = '/api/v1/namespaces/harness-admin/pods';
    expect((await c.request({ method: 'GET', path: `${podPath}/dry` })).status).toBe(404);
    const real = await c.create<{ metadata: { uid: string } }>(POD('real', 'harness-admin'));
    expect(real.status).toBe(201);
    const got = await c.request<{ status: { phase: string } }>({ method: 'GET', path: `${podPath}/real` });
    expect(got.status).toBe(200);
    // no scheduler: Pods stay Pending
    expect(got.body.status.phase).toBe('Pending');
    // 4xx is a response, not an exception
    expect((await c.create(POD('real', 'harness-admin'))).status).toBe(409);
  });

  it('gives the unprivileged user 403 until a Role and RoleBinding grant it', async () => {
    await c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'harness-user' } });
    const denied = await c.create<{ reason: string }>(POD('p', 'harness-user'), { as: 'user' });
    expect(denied.status).toBe(403);
    expect(denied.body.reason).toBe('Forbidden');
    await c.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'pods', namespace: 'harness-user' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create', 'get'] }],
    });
    await c.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'pods', namespace: 'harness-user' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pods' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'palisade-users' }],
    });
    // RBAC reads bindings from an informer cache, so the grant takes effect a moment later.
    let status = 0;
    for (let i = 0; i < 50 && status !== 201; i++) {
      status = (await c.create(POD('p', 'harness-user'), { as: 'user' })).status;
      if (status !== 201) await sleep(100);
    }
    expect(status).toBe(201);
    // still nothing outside the namespace
    expect((await c.create(POD('p', 'default'), { as: 'user' })).status).toBe(403);
  });

  it('resolves collection paths for core, apps, batch and a CRD installed by apply', async () => {
    expect(await c.collectionPath('v1', 'Pod', 'ns')).toBe('/api/v1/namespaces/ns/pods');
    expect(await c.collectionPath('v1', 'Namespace', 'ignored')).toBe('/api/v1/namespaces');
    expect(await c.collectionPath('apps/v1', 'Deployment', 'ns')).toBe(
      '/apis/apps/v1/namespaces/ns/deployments',
    );
    expect(await c.collectionPath('batch/v1', 'CronJob', 'ns')).toBe('/apis/batch/v1/namespaces/ns/cronjobs');
    expect(await c.collectionPath('apps/v1', 'Deployment')).toBe('/apis/apps/v1/deployments');
    await expect(c.collectionPath('example.palisade.dev/v1', 'Widget', 'ns')).rejects.toThrow(/Widget/);
    await c.apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.palisade.dev' },
      spec: {
        group: 'example.palisade.dev',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } },
              },
            },
          },
        ],
      },
    });
    await c.waitForCrds(['widgets.example.palisade.dev']);
    expect(await c.collectionPath('example.palisade.dev/v1', 'Widget', 'ns')).toBe(
      '/apis/example.palisade.dev/v1/namespaces/ns/widgets',
    );
    const widget = {
      apiVersion: 'example.palisade.dev/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 3 },
    };
    expect((await c.create(widget)).status).toBe(201);
  });

  it('returns the Warning headers as text and throws from apply with the API message', async () => {
    const pod = {
      ...POD('warned', 'default'),
      spec: { containers: [{ name: 'app', image: 'x' }], bogus: 1 },
    };
    const strict = await c.create<{ message: string }>(pod, { dryRun: true });
    expect(strict.status).toBe(400);
    expect(strict.body.message).toContain('unknown field "spec.bogus"');
    const warned = await c.create(pod, { dryRun: true, fieldValidation: 'Warn' });
    expect(warned.status).toBe(201);
    expect(warned.warnings).toEqual(['unknown field "spec.bogus"']);
    await expect(
      c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'Not_Valid' } }),
    ).rejects.toThrow(/apply Namespace Not_Valid: 422 .*Not_Valid/);
  });

  it('restartApiServer() keeps the data, the port and the CA, and gives a new process', async () => {
    await c.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'survivor', namespace: 'default' },
    });
    const before = c.apiserverPid;
    await c.restartApiServer({ downMs: 500 });
    expect(c.apiserverPid).not.toBe(before);
    expect(isProcessRunning(before)).toBe(false);
    const res = await c.request({ method: 'GET', path: '/api/v1/namespaces/default/configmaps/survivor' });
    expect(res.status).toBe(200);
  });

  it('stop() ends both processes and removes the directory, and is idempotent', async () => {
    const pids = [c.etcdPid, c.apiserverPid];
    expect(pids.every(isProcessRunning)).toBe(true);
    await Promise.all([c.stop(), c.stop()]);
    expect(pids.filter(isProcessRunning)).toEqual([]);
    expect(existsSync(c.dir)).toBe(false);
    await c.stop();
  });
});

// Kubernetes 1.34+ serves continue pages from the watch cache's snapshots (ListFromCacheSnapshot), which outlive an
// etcd compaction; without them the continuation is read from etcd, as on older servers, and expires at once.
describe('compactEtcd', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let c: LaunchedCluster;
  beforeAll(async () => {
    c = await launchCluster({ apiserverArgs: ['--feature-gates=ListFromCacheSnapshot=false'] });
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(() => c?.stop());

  it('compactEtcd() expires continue tokens and old resourceVersions (410)', async () => {
    for (let i = 0; i < 5; i++) {
      await c.apply({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `cm-${i}`, namespace: 'default' },
      });
    }
    const path = '/api/v1/namespaces/default/configmaps';
    const first = await c.request<{ metadata: { continue?: string; resourceVersion: string } }>({
      method: 'GET',
      path,
      query: { limit: '2' },
    });
    const token = first.body.metadata.continue;
    expect(token).toBeTruthy();
    await c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'later', namespace: 'default' } });
    const revision = await c.compactEtcd();
    expect(revision).toBeGreaterThan(Number(first.body.metadata.resourceVersion));
    const next = await c.request<{ reason?: string }>({
      method: 'GET',
      path,
      query: { limit: '2', continue: token ?? '' },
    });
    expect(next.status).toBe(410);
    expect(next.body.reason).toBe('Expired');
  });
});

describe('start-up failure', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  it('names the process that exited, shows its log and leaves nothing behind', async () => {
    const base = mkdtempSync(join(tmpdir(), 'palisade-kube-fail-'));
    try {
      const err = await launchCluster({ baseDir: base, apiserverArgs: ['--no-such-flag'] }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toMatch(
        /waiting for kube-apiserver \/readyz: kube-apiserver exited \(exit code 1\)/,
      );
      expect(err?.message).toContain('unknown flag: --no-such-flag');
      // the state directory (and with it etcd's) is gone; etcd was stopped
      expect(readdirSync(base)).toEqual([]);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('cleanup when the test process dies', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  // SIGTERM runs the harness's signal handler; SIGKILL runs nothing, so the watchdog (within ~1 s) has to.
  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'a process killed with %s takes etcd and kube-apiserver with it',
    async (signal) => {
      const child = spawn(
        process.execPath,
        [
          '--conditions=@palisade/source',
          '--import',
          'tsx',
          'packages/kube-harness/src/testing/killed-child.ts',
        ],
        { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        child.on('exit', (_code, sig) => resolve(sig)),
      );
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')));
        });
        child.on('exit', (code) => reject(new Error(`child exited (${code}) before printing its pids`)));
      });
      const started = JSON.parse(line) as { etcdPid: number; apiserverPid: number; dir: string };
      const pids = [started.etcdPid, started.apiserverPid];
      expect(pids.every(isProcessRunning)).toBe(true);
      child.kill(signal);
      expect(await exited).toBe(signal);
      expect(await waitGone(pids)).toEqual([]);
      const deadline = Date.now() + 5_000;
      while (existsSync(started.dir) && Date.now() < deadline) await sleep(100);
      expect(existsSync(started.dir)).toBe(false);
    },
  );
});

describe('pnpm cluster up / down', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  it('starts a background cluster whose KUBECONFIG works, and stops it', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'palisade-cluster-cmd-'));
    const env = { ...process.env, PALISADE_CLUSTER_DIR: join(parent, 'cluster') };
    try {
      // what a person types: eval the last line, then use $KUBECONFIG
      const up = await run('bash', ['-c', 'eval "$(pnpm -s cluster up)" && printf %s "$KUBECONFIG"'], env);
      expect(up.code, up.stderr).toBe(0);
      expect(up.stdout).toBe(join(parent, 'cluster', 'admin.kubeconfig'));
      const kubeconfig = readFileSync(up.stdout, 'utf8');
      const server = /server: "([^"]+)"/.exec(kubeconfig)?.[1] ?? '';
      const token = /token: "([^"]+)"/.exec(kubeconfig)?.[1] ?? '';
      const ca = Buffer.from(/certificate-authority-data: "([^"]+)"/.exec(kubeconfig)?.[1] ?? '', 'base64');
      const readyz = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const r = request(
          new URL('/readyz', server),
          { ca, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            let body = '';
            res.on('data', (d: Buffer) => {
              body += d.toString();
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        r.on('error', reject);
        r.end();
      });
      expect(readyz).toEqual({ status: 200, body: 'ok' });

      const state = JSON.parse(readFileSync(join(parent, 'cluster', 'state.json'), 'utf8')) as {
        etcdPid: number;
        apiserverPid: number;
      };
      const pids = [state.etcdPid, state.apiserverPid];
      expect(pids.every(isProcessRunning)).toBe(true);
      // a second `up` finds it running and prints the same export again
      const again = await run('pnpm', ['-s', 'cluster', 'up'], env);
      expect(again.stdout.trim().split('\n').at(-1)).toBe(`export KUBECONFIG=${up.stdout}`);
      expect(again.stderr).toContain('already running');

      const down = await run('pnpm', ['-s', 'cluster', 'down'], env);
      expect(down.code, down.stderr).toBe(0);
      expect(await waitGone(pids)).toEqual([]);
      expect(existsSync(join(parent, 'cluster'))).toBe(false);
      // down again: nothing to stop, still fine
      expect((await run('pnpm', ['-s', 'cluster', 'down'], env)).code).toBe(0);
    } finally {
      await run('pnpm', ['-s', 'cluster', 'down'], env);
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('parses Warning header values', () => {
    expect(parseWarningHeader('299 - "a, b"')).toEqual(['a, b']);
    expect(parseWarningHeader('299 - "say \\"hi\\"", 299 - "two" "Wed, 21 Oct 2015 07:28:00 GMT"')).toEqual([
      'say "hi"',
      'two',
    ]);
  });
});
