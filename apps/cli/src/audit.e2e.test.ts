import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectionPath, discoverKinds, KubeClient, listCollection } from '@palisade/audit';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { hardeningPolicies } from '@palisade/policies';
import { clusterCorpus, fixtureCorpus, installReportCrds, REQUIRED_PARAMS } from '@palisade/testing';
import type { JsonReport, JsonResult, PolicyReport } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './index.js';

/**
 * The proof of `palisade audit` (issue 13): the catalogue's fixtures and a generated corpus of more than 2,000 objects
 * (Pods and every controller kind, Services, ServiceAccounts, over several namespaces) are created in a real API
 * server; the audit gives, result for result, what `palisade validate` gives on the same objects read back, and the
 * reports it writes into the cluster hold exactly those results. The selection (testdata/audit.config.ts) adds a
 * policy on Namespaces, so cluster-scoped resources and the ClusterPolicyReport are in the proof too.
 */

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, 'bin.ts');
const CONFIG = join(here, 'testdata', 'audit.config.ts');
/** Namespaces labelled with their team; the others (and kube-system, kube-public, ...) fail namespace-team. */
const LABELLED = new Set(['team-a', 'team-c']);

const NAMESPACES = ['default', 'team-a', 'team-b', 'team-c', 'team-d', 'team-e'];
const SELECTION = [
  '--profile',
  'restricted',
  '--policy',
  hardeningPolicies.map((p) => p.id).join(','),
  '--params',
] as const;

interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(argv: string[]): Promise<CliRun> {
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

/**
 * The CLI as a process, as users run it: a TypeScript `--config` is loaded through tsx, which resolves workspace
 * packages through Node's own resolver (the @palisade/source condition given here), not vitest's.
 */
function palisade(argv: string[]): Promise<CliRun> {
  const child = spawn(process.execPath, ['--conditions=@palisade/source', '--import', 'tsx', bin, ...argv], {
    env: { ...process.env, NO_COLOR: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** One result as both reports give it, without where it was read from (file:line or uid). */
const key = (r: JsonResult) => {
  const resource = r.resources[0];
  return JSON.stringify([resource?.kind, resource?.namespace, resource?.name, r.policy, r.result, r.message]);
};
/** The same key of a result in a report written to the cluster. */
const reportKey = (r: PolicyReport['results'][number]) => {
  const resource = r.resources?.[0];
  return JSON.stringify([resource?.kind, resource?.namespace, resource?.name, r.policy, r.result, r.message]);
};

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe('palisade audit in a real API server', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  let dir: string;
  let params: string;
  let created = 0;
  const refused: string[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    dir = mkdtempSync(join(tmpdir(), 'palisade-audit-'));
    params = join(dir, 'params.json');
    writeFileSync(params, JSON.stringify(REQUIRED_PARAMS));
    for (const name of NAMESPACES)
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, ...(LABELLED.has(name) ? { labels: { 'example.com/team': name } } : {}) },
      });
    // Each object gets a name of its own (fixtures of different policies share names) and a namespace in turn.
    const corpus = [
      ...fixtureCorpus(),
      ...clusterCorpus(2000, 20261201).map((object, i) => ({ id: `workload-${i}`, object })),
    ];
    await pool(
      corpus.map((entry, i) => ({ entry, i })),
      16,
      async ({ entry, i }) => {
        const metadata = { ...(entry.object.metadata as Record<string, unknown>) };
        metadata.name = `${String(entry.object.kind).toLowerCase()}-${i}`;
        metadata.namespace = NAMESPACES[i % NAMESPACES.length];
        const res = await cluster.create({ ...entry.object, metadata }, { fieldValidation: 'Ignore' });
        if (res.status === 201) created++;
        // Fixtures the API server refuses (invalid on purpose, or for a newer API) have nothing to audit.
        else refused.push(`${entry.id}: ${(res.body as { message?: string }).message?.slice(0, 160)}`);
      },
    );
  }, ENGINE_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('gives, result for result, what validate gives on the same objects, and writes exactly those reports', async () => {
    expect(created, refused.slice(0, 20).join('\n')).toBeGreaterThanOrEqual(2000);
    const kubeconfig = cluster.admin.kubeconfig;
    const writeAudit = ['audit', '--kubeconfig', kubeconfig, '--config', CONFIG, '--write-reports'];

    // No report CRD yet: the audit still reports, and fails naming the CRD it cannot write.
    const noCrd = await palisade([...writeAudit, '-f', 'json']);
    expect(noCrd.code).toBe(2);
    expect(noCrd.stderr).toContain('the report CRD policyreports.wgpolicyk8s.io is not installed');
    await installReportCrds(cluster, 'wgpolicyk8s');

    const audit = await palisade([...writeAudit, '-f', 'json']);
    expect(audit.stderr).toMatch(
      /palisade: reports: \d+ in the cluster, \d+ written, 0 unchanged, 0 deleted/,
    );
    const audited = JSON.parse(audit.stdout) as JsonReport;
    expect(audited.errors).toEqual([]);

    // The same objects, read back as `kubectl get -o json` gives them (without managedFields, as the audit reads them).
    const client = await KubeClient.load({ kubeconfig });
    const items: Record<string, unknown>[] = [];
    try {
      const kinds = [...new Set(audited.results.map((r) => r.resources[0]?.kind ?? ''))];
      const { found } = await discoverKinds(client, kinds);
      for (const kind of found)
        await listCollection(client, collectionPath(kind), {
          onPage: (page) => {
            for (const item of page) {
              const { managedFields: _, ...metadata } = item.metadata as Record<string, unknown>;
              items.push({
                ...item,
                apiVersion: kind.group === '' ? kind.version : `${kind.group}/${kind.version}`,
                kind: kind.kind,
                metadata,
              });
            }
          },
        });
    } finally {
      client.close();
    }
    const dump = join(dir, 'cluster.json');
    writeFileSync(dump, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
    const validate = await palisade(['validate', '--config', CONFIG, '-f', 'json', dump]);
    const validated = JSON.parse(validate.stdout) as JsonReport;

    expect(audited.results.length).toBeGreaterThan(20_000);
    expect(audited.results.map(key).sort()).toEqual(validated.results.map(key).sort());
    expect(audited.summary).toEqual(validated.summary);
    expect(audit.code).toBe(validate.code);
    // Every audited result names its object's uid.
    const uids = new Map(items.map((i) => [(i.metadata as { uid: string }).uid, i]));
    expect(audited.results.every((r) => uids.has(r.resources[0]?.uid ?? ''))).toBe(true);

    // The reports in the cluster hold exactly the audit's results, counted right: a PolicyReport (or several, when
    // one namespace's results exceed the object size limit) per namespace, and the ClusterPolicyReport.
    const list = async <T>(resource: string) =>
      (
        await cluster.request<{ items: T[] }>({
          method: 'GET',
          path: `/apis/wgpolicyk8s.io/v1alpha2/${resource}`,
        })
      ).body.items;
    const allReports = async (): Promise<PolicyReport[]> => [
      ...(await list<PolicyReport>('policyreports')),
      ...(await list<PolicyReport>('clusterpolicyreports')),
    ];
    const reports = await allReports();
    const namespacesOf = (namespaces: (string | undefined)[]) =>
      [...new Set(namespaces.map((n) => n ?? ''))].sort();
    expect(namespacesOf(reports.map((r) => r.metadata.namespace))).toEqual(
      namespacesOf(audited.results.map((r) => r.resources[0]?.namespace)),
    );
    expect(namespacesOf(reports.map((r) => r.metadata.namespace))).toEqual(
      expect.arrayContaining(['', ...NAMESPACES, 'kube-system']),
    );
    const clusterScoped = audited.results.filter((r) => r.resources[0]?.kind === 'Namespace');
    expect(clusterScoped.filter((r) => r.result === 'fail').map((r) => r.resources[0]?.name)).toEqual(
      expect.arrayContaining(['default', 'kube-system', 'team-b']),
    );
    expect(
      clusterScoped
        .filter((r) => r.result === 'pass')
        .map((r) => r.resources[0]?.name)
        .sort(),
    ).toEqual([...LABELLED].sort());
    const reported = reports.flatMap((report) => {
      const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
      for (const result of report.results) counted[result.result]++;
      expect(report.summary).toEqual(counted);
      return report.results.map(reportKey);
    });
    expect(reported.sort()).toEqual(audited.results.map(key).sort());

    // A second run with nothing changed writes nothing.
    const again = await palisade([...writeAudit, '-f', 'json', '-o', join(dir, 'again.json')]);
    expect(again.stderr).toMatch(/, 0 written, \d+ unchanged, 0 deleted/);
    const reread = JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')) as JsonReport;
    expect(reread.results).toEqual(audited.results);
    expect(again.code).toBe(audit.code);

    // --report-results violations: the same reports but for the passes, which their summaries still count.
    const slim = await palisade([
      ...writeAudit,
      '--report-results',
      'violations',
      '-o',
      join(dir, 'slim.txt'),
    ]);
    expect(slim.code).toBe(audit.code);
    const slimReports = await allReports();
    const listed = slimReports.flatMap((report) => report.results.map(reportKey));
    expect(listed.sort()).toEqual(
      audited.results
        .filter((r) => r.result !== 'pass')
        .map(key)
        .sort(),
    );
    const counted = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const report of slimReports)
      for (const status of Object.keys(counted) as (keyof typeof counted)[])
        counted[status] += report.summary[status];
    const expected = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
    for (const r of audited.results) expected[r.result]++;
    expect(counted).toEqual(expected);
    expect(expected.pass).toBeGreaterThan(10_000);
  });

  it('--watch writes a changed namespace within seconds and stops cleanly on SIGTERM (exit 0)', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@palisade/source',
        '--import',
        'tsx',
        bin,
        'audit',
        '--kubeconfig',
        cluster.admin.kubeconfig,
        '--config',
        CONFIG,
        '--write-reports',
        '--watch',
      ],
      { env: { ...process.env, NO_COLOR: '' } },
    );
    let stderr = '';
    const seen = (pattern: RegExp, timeoutMs: number) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no ${pattern} in:\n${stderr}`)), timeoutMs);
        const check = () => {
          if (!pattern.test(stderr)) return;
          clearTimeout(deadline);
          child.stderr.off('data', check);
          resolve();
        };
        child.stderr.on('data', check);
        check();
      });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await seen(/palisade: watching for changes/, 120_000);
      const changedAt = performance.now();
      await cluster.apply({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'watched', namespace: 'team-d' },
        spec: { containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] },
      });
      await seen(/palisade: reports \(team-d\): [1-9]\d* written/, 30_000);
      console.log(
        `--watch: team-d's report written ${Math.round(performance.now() - changedAt)} ms after the change`,
      );
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toContain('palisade: SIGTERM: stopping the watch');
  });

  it('reports a kind the user may not list as an input error (exit 2) and audits every other kind', async () => {
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'audit-all-but-deployments' },
      rules: [
        {
          apiGroups: [''],
          resources: [
            'pods',
            'replicationcontrollers',
            'services',
            'serviceaccounts',
            'configmaps',
            'secrets',
            'persistentvolumeclaims',
          ],
          verbs: ['list'],
        },
        { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['list'] },
        { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: ['list'] },
        { apiGroups: ['apps'], resources: ['replicasets', 'statefulsets', 'daemonsets'], verbs: ['list'] },
        { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['list'] },
      ],
    });
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'palisade-user-audit' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'audit-all-but-deployments',
      },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: cluster.user.name }],
    });
    const argv = ['audit', '--kubeconfig', cluster.user.kubeconfig, ...SELECTION, params, '-f', 'json'];
    // RBAC reads bindings from an informer: retry until the binding is seen.
    let result = await cli(argv);
    for (let i = 0; i < 50 && (JSON.parse(result.stdout) as JsonReport).errors.length > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      result = await cli(argv);
    }
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(result.code).toBe(2);
    expect(report.errors).toEqual([
      {
        source: 'cluster',
        file: '/apis/apps/v1/deployments',
        message: expect.stringMatching(/^cannot list Deployment \(apps\/v1\): Forbidden: /),
      },
    ]);
    expect(result.stderr).toContain(
      'palisade: list /apis/apps/v1/deployments: cannot list Deployment (apps/v1): Forbidden',
    );
    const kinds = new Set(report.results.map((r) => r.resources[0]?.kind));
    expect(kinds.has('Deployment')).toBe(false);
    for (const kind of ['Pod', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Service'])
      expect(kinds).toContain(kind);
  });
});
