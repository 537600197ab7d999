import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { installReportCrds } from '@palisade/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { run } from './index.js';

/**
 * The generated RBAC in a real API server: the harness's unprivileged user, bound to the generated ClusterRole (as
 * the generated binding binds the ServiceAccount), may do everything the audit does and nothing more, and a real
 * `palisade audit --write-reports` with that identity succeeds. And the pod's own way in: a CLI process that finds
 * only in-cluster credentials (the ServiceAccount's token at /var/run/secrets/kubernetes.io/serviceaccount, in a
 * private mount namespace) audits as that ServiceAccount.
 */

const BIN = join(import.meta.dirname, 'bin.ts');
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const AUDIT_ARGV = ['audit', '--profile', 'restricted', '-f', 'json'];

/**
 * The CLI as the pod runs it: no kubeconfig anywhere (empty HOME, no KUBECONFIG), KUBERNETES_SERVICE_HOST/PORT
 * set, and `credentials` (token, ca.crt, namespace) copied to SA_DIR on a tmpfs that only this process's mount
 * namespace sees (`unshare -m`; /var/run is /run here). Needs root, as CI has; without it the test fails, loudly.
 */
function inPod(server: string, credentials: string, argv: string[]) {
  const { hostname, port } = new URL(server);
  const script = `mount -t tmpfs tmpfs /run && mkdir -p ${SA_DIR} && cp "$0"/* ${SA_DIR}/ && exec "$@"`;
  const child = spawn(
    'unshare',
    [
      '-m',
      'sh',
      '-c',
      script,
      credentials,
      process.execPath,
      '--conditions=@palisade/source',
      '--import',
      'tsx',
      BIN,
      ...argv,
    ],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: mkdtempSync(join(tmpdir(), 'palisade-pod-home-')),
        NO_COLOR: '1',
        KUBERNETES_SERVICE_HOST: hostname,
        KUBERNETES_SERVICE_PORT: port,
      },
      cwd: join(import.meta.dirname, '..', '..', '..'),
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function cli(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: false },
    env: {},
    now: () => new Date('2026-12-01T12:00:00Z'),
  });
  return { code, stdout, stderr };
}

describe('the generated audit RBAC', () => {
  let cluster: KubeCluster;
  let out: string;
  const file = (name: string) =>
    parse(readFileSync(join(out, 'audit', name), 'utf8')) as Record<string, unknown>;

  beforeAll(async () => {
    cluster = await startCluster();
    out = mkdtempSync(join(tmpdir(), 'palisade-rbac-'));
    const built = await cli(['build', '--out', out, '--profile', 'restricted']);
    expect(built.code, built.stderr).toBe(0);
    for (const name of [
      'namespace.yaml',
      'serviceaccount.yaml',
      'clusterrole.yaml',
      'clusterrolebinding.yaml',
    ])
      await cluster.apply(file(name));
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'palisade-audit-harness-user' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'palisade-audit' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: cluster.user.name }],
    });
    await installReportCrds(cluster, 'wgpolicyk8s');
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root', namespace: 'default' },
      spec: { containers: [{ name: 'c', image: 'nginx' }] },
    });
  }, ENGINE_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
  });

  const allowed = async (
    user: string,
    attributes: { verb: string; group?: string; resource?: string; namespace?: string; path?: string },
  ) => {
    const spec =
      attributes.path === undefined
        ? { resourceAttributes: { ...attributes, group: attributes.group ?? '' } }
        : { nonResourceAttributes: { path: attributes.path, verb: attributes.verb } };
    const res = await cluster.request<{ status: { allowed: boolean } }>({
      method: 'POST',
      path: '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: { user, groups: ['palisade-users', 'system:authenticated'], ...spec },
      },
    });
    return res.body.status.allowed;
  };

  it('allows every verb the audit needs, for the user and the ServiceAccount', async () => {
    for (const user of [cluster.user.name, 'system:serviceaccount:palisade-system:palisade-audit']) {
      for (const path of ['/api', '/apis', '/apis/apps/v1'])
        expect(await allowed(user, { verb: 'get', path }), `${user} get ${path}`).toBe(true);
      for (const [group, resource] of [
        ['', 'pods'],
        ['', 'replicationcontrollers'],
        ['apps', 'deployments'],
        ['apps', 'daemonsets'],
        ['apps', 'replicasets'],
        ['apps', 'statefulsets'],
        ['batch', 'jobs'],
        ['batch', 'cronjobs'],
      ] as const)
        for (const verb of ['get', 'list', 'watch'])
          expect(await allowed(user, { verb, group, resource }), `${user} ${verb} ${resource}`).toBe(true);
      for (const resource of ['policyreports', 'clusterpolicyreports'])
        for (const verb of ['create', 'list', 'patch', 'delete'])
          expect(
            await allowed(user, { verb, group: 'wgpolicyk8s.io', resource }),
            `${verb} ${resource}`,
          ).toBe(true);
    }
  });

  it('accepts every generated manifest, the Deployment and the CronJob too, with strict field validation', async () => {
    // A dry run: stored, they would be audited too, and the last test counts the reports.
    for (const name of ['configmap.yaml', 'deployment.yaml', 'cronjob.yaml']) {
      const created = await cluster.create(file(name), { dryRun: true, fieldValidation: 'Strict' });
      expect(created.status, `${name}: ${JSON.stringify(created.body).slice(0, 400)}`).toBe(201);
    }
  });

  it('lets that identity open the watches --watch opens, on every kind it lists', async () => {
    for (const path of [
      '/api/v1/pods',
      '/api/v1/replicationcontrollers',
      '/apis/apps/v1/deployments',
      '/apis/apps/v1/daemonsets',
      '/apis/apps/v1/replicasets',
      '/apis/apps/v1/statefulsets',
      '/apis/batch/v1/jobs',
      '/apis/batch/v1/cronjobs',
    ]) {
      // A real watch, closed by the API server after a second: 200 and a stream, not 403.
      const res = await cluster.request({
        method: 'GET',
        path,
        query: { watch: 'true', timeoutSeconds: '1', allowWatchBookmarks: 'true' },
        as: 'user',
        timeoutMs: 10_000,
      });
      expect(res.status, path).toBe(200);
    }
    const secrets = await cluster.request({
      method: 'GET',
      path: '/api/v1/secrets',
      query: { watch: 'true', timeoutSeconds: '1' },
      as: 'user',
      timeoutMs: 10_000,
    });
    expect(secrets.status).toBe(403);
  });

  it('audits with in-cluster credentials as the ServiceAccount, as the pod does', async () => {
    // The token the projected volume would hold: a TokenRequest for the generated ServiceAccount.
    const minted = await cluster.request<{ status: { token: string } }>({
      method: 'POST',
      path: '/api/v1/namespaces/palisade-system/serviceaccounts/palisade-audit/token',
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: 3600 },
      },
    });
    expect(minted.status, JSON.stringify(minted.body).slice(0, 300)).toBe(201);
    const credentials = mkdtempSync(join(tmpdir(), 'palisade-sa-'));
    writeFileSync(join(credentials, 'token'), minted.body.status.token);
    writeFileSync(join(credentials, 'ca.crt'), cluster.ca);
    writeFileSync(join(credentials, 'namespace'), 'palisade-system');

    const audit = await inPod(cluster.server, credentials, AUDIT_ARGV);
    expect(audit.stderr).not.toMatch(/cannot list|forbidden|no kubeconfig/i);
    // The root pod fails restricted (exit 1); every kind was read as the ServiceAccount.
    expect(audit.code, audit.stderr).toBe(1);
    const report = JSON.parse(audit.stdout) as {
      errors: unknown[];
      results: { result: string; resources: { name?: string }[] }[];
    };
    expect(report.errors).toEqual([]);
    expect(report.results.some((r) => r.result === 'fail' && r.resources[0]?.name === 'root')).toBe(true);

    // The token is what authenticated it: a wrong one is refused by the API server (exit 2).
    writeFileSync(join(credentials, 'token'), 'not-a-token');
    const refused = await inPod(cluster.server, credentials, AUDIT_ARGV);
    expect(refused.code).toBe(2);
    expect(refused.stderr + refused.stdout).toMatch(/Unauthorized/);
  });

  it('denies everything else', async () => {
    const user = cluster.user.name;
    const denied: [string, string, string][] = [
      ['create', '', 'pods'],
      ['delete', '', 'pods'],
      ['update', 'apps', 'deployments'],
      ['patch', 'apps', 'deployments'],
      ['get', '', 'secrets'],
      ['list', '', 'secrets'],
      ['list', '', 'configmaps'],
      ['list', 'rbac.authorization.k8s.io', 'clusterroles'],
      ['create', 'rbac.authorization.k8s.io', 'clusterrolebindings'],
      ['update', 'wgpolicyk8s.io', 'policyreports'],
      ['get', 'wgpolicyk8s.io', 'policyreports'],
      ['watch', 'wgpolicyk8s.io', 'policyreports'],
      ['list', 'openreports.io', 'reports'],
      ['create', '', 'pods/exec'],
      ['impersonate', '', 'serviceaccounts'],
    ];
    for (const [verb, group, resource] of denied)
      expect(await allowed(user, { verb, group, resource }), `${verb} ${group}/${resource}`).toBe(false);
  });

  it(
    'runs a real audit that writes its reports, twice, with that identity',
    async () => {
      const argv = [
        'audit',
        '--kubeconfig',
        cluster.user.kubeconfig,
        '--profile',
        'restricted',
        '--write-reports',
      ];
      const first = await cli(argv);
      expect(first.stderr).toMatch(
        /palisade: reports: \d+ in the cluster, [1-9]\d* written, 0 unchanged, 0 deleted/,
      );
      expect(first.stderr).not.toMatch(/cannot list|forbidden/i);
      // The root pod fails restricted: exit 1, not 2 (no kind unreadable, no report unwritable).
      expect(first.code).toBe(1);
      await cluster.request({
        method: 'DELETE',
        path: '/api/v1/namespaces/default/pods/root',
        query: { gracePeriodSeconds: '0' },
      });
      const second = await cli(argv);
      expect(second.stderr).toMatch(
        /palisade: reports: 0 in the cluster, 0 written, 0 unchanged, [1-9]\d* deleted/,
      );
      expect(second.code).toBe(0);
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
