import { mkdtempSync, readFileSync } from 'node:fs';
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
 * `palisade audit --write-reports` with that identity succeeds.
 */

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
