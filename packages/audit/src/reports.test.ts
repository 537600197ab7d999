import {
  bind,
  check,
  containers,
  definePolicy,
  field,
  isTrue,
  isUndefined,
  msg,
  object,
  rule,
} from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { installReportCrds } from '@palisade/testing';
import {
  buildOpenReports,
  buildPolicyReports,
  type CheckedResource,
  type PolicyConfig,
  parseManifests,
  type ValidationRun,
  Validator,
  validateManifests,
} from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from './client.js';
import { type ReportApi, ReportCrdMissingError, ReportWriteError, writeReports } from './reports.js';

/**
 * writeReports against a real API server with the ecosystem's report CRDs: created Strict and read back whole,
 * a second write of the same results writes nothing, results that went away disappear, large namespaces split, and
 * reports outside the write's scope are never touched.
 */

const noPrivileged = definePolicy({
  id: 'no-privileged',
  title: 'No Privileged Containers',
  description: 'Privileged containers can take over the node.',
  severity: 'high',
  category: 'Pod Security',
  remediation: 'Set securityContext.privileged to false.',
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: isTrue(field('c', 'securityContext.privileged')),
        message: msg`container "${field('c', 'name')}" must not be privileged`,
        field: 'securityContext.privileged',
      }),
    ]),
});

const teamLabel = definePolicy({
  id: 'namespace-team',
  title: 'Namespaces Name Their Team',
  description: 'Every namespace has an owner.',
  severity: 'low',
  category: 'Governance',
  remediation: 'Label the namespace with team.',
  match: { kinds: ['Namespace'] },
  rule: () =>
    rule([
      check({
        deny: isUndefined(object('metadata.labels.team')),
        message: msg`namespace has no team label`,
        field: 'metadata.labels.team',
      }),
    ]),
});

const config = (policy: typeof noPrivileged): PolicyConfig => ({ policy, rule: policy.rule ?? rule([]) });
const ALL_POLICIES = [config(noPrivileged), config(teamLabel)];

interface PodSpec {
  namespace: string;
  name: string;
  privileged: boolean;
}

const podYaml = (p: PodSpec) => `apiVersion: v1
kind: Pod
metadata: {name: ${p.name}, namespace: ${p.namespace}}
spec:
  containers:
    - name: app
      image: nginx:1.27
      securityContext: {privileged: ${p.privileged}}
`;

const NAMESPACES = ['team-a', 'team-b', 'team-c'];
const PODS: PodSpec[] = [
  { namespace: 'team-a', name: 'web', privileged: true },
  { namespace: 'team-a', name: 'api', privileged: false },
  { namespace: 'team-b', name: 'db', privileged: true },
  { namespace: 'team-c', name: 'cache', privileged: false },
];
const namespaceYaml = (name: string, labelled: boolean) =>
  `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${name}${labelled ? ', labels: {team: x}' : ''}}\n`;

/** A run over these pods and the namespaces (team-b labelled), plus one input error, at `timestamp`. */
function runOf(
  pods: readonly PodSpec[],
  options: { policies?: readonly PolicyConfig[]; timestamp?: Date; inputError?: boolean } = {},
): ValidationRun {
  const docs = [...NAMESPACES.map((n) => namespaceYaml(n, n === 'team-b')), ...pods.map(podYaml)];
  if (options.inputError !== false) docs.push('not: [valid\n');
  const validator = new Validator({ policies: options.policies ?? ALL_POLICIES });
  return validateManifests(validator, parseManifests(docs.join('---\n'), 'cluster.yaml'), {
    tool: { name: 'palisade', version: '0.0.0' },
    timestamp: options.timestamp ?? new Date('2026-01-01T00:00:00Z'),
  });
}

const API_PATHS: Record<
  ReportApi,
  { namespaced: string; cluster: string; kind: string; clusterKind: string }
> = {
  wgpolicyk8s: {
    namespaced: '/apis/wgpolicyk8s.io/v1alpha2/policyreports',
    cluster: '/apis/wgpolicyk8s.io/v1alpha2/clusterpolicyreports',
    kind: 'PolicyReport',
    clusterKind: 'ClusterPolicyReport',
  },
  openreports: {
    namespaced: '/apis/openreports.io/v1alpha1/reports',
    cluster: '/apis/openreports.io/v1alpha1/clusterreports',
    kind: 'Report',
    clusterKind: 'ClusterReport',
  },
};

interface Live {
  metadata: {
    name: string;
    namespace?: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    managedFields?: { manager: string; operation: string }[];
  };
  summary: Record<string, number>;
  results: {
    policy: string;
    result: string;
    timestamp: { seconds: number };
    resources?: { name?: string }[];
  }[];
  [field: string]: unknown;
}

describe('writeReports', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  let client: KubeClient;

  /** Every report of the API in the cluster, ours or not, by `namespace/name` ('' for cluster reports). */
  async function liveReports(api: ReportApi): Promise<Map<string, Live>> {
    const out = new Map<string, Live>();
    for (const path of [API_PATHS[api].namespaced, API_PATHS[api].cluster]) {
      const { body } = await client.request<{ items: Live[] }>({ method: 'GET', path });
      for (const item of body.items) out.set(`${item.metadata.namespace ?? ''}/${item.metadata.name}`, item);
    }
    return out;
  }
  const versions = (reports: Map<string, Live>) =>
    new Map([...reports].map(([k, r]) => [k, r.metadata.resourceVersion]));

  beforeAll(async () => {
    cluster = await startCluster();
    client = await KubeClient.load({ kubeconfig: cluster.admin.kubeconfig });
    for (const name of NAMESPACES)
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await installReportCrds(cluster, 'wgpolicyk8s');
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('fails naming the CRD when the report API is not installed', async () => {
    const error = await writeReports(client, runOf(PODS), { api: 'openreports' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReportCrdMissingError);
    expect((error as ReportCrdMissingError).crd).toBe('reports.openreports.io');
    expect((error as Error).message).toMatch(/reports\.openreports\.io is not installed/);
    await installReportCrds(cluster, 'openreports');
  });

  for (const api of ['wgpolicyk8s', 'openreports'] as const) {
    describe(api, () => {
      const build = api === 'openreports' ? buildOpenReports : buildPolicyReports;

      it('writes one report per namespace and a cluster report, Strict, read back with nothing pruned', async () => {
        const run = runOf(PODS);
        const result = await writeReports(client, run, { api });
        expect(result).toEqual({ reports: 4, applied: 4, unchanged: 0, deleted: 0 });
        const live = await liveReports(api);
        expect([...live.keys()].sort()).toEqual([
          '/palisade-cluster',
          'team-a/palisade-team-a',
          'team-b/palisade-team-b',
          'team-c/palisade-team-c',
        ]);
        for (const report of build(run)) {
          const stored = live.get(`${report.metadata.namespace ?? ''}/${report.metadata.name}`) as Live;
          const { metadata, ...content } = report;
          // Every field as sent: a field the CRD's schema lacked would have been refused (Strict) or pruned.
          expect(stored).toMatchObject(content);
          expect(stored.results).toEqual(report.results);
          expect(stored.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'palisade' });
          expect(stored.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([
            ['palisade-audit', 'Apply'],
          ]);
        }
        const cluster = live.get('/palisade-cluster') as Live;
        expect(cluster.kind).toBe(API_PATHS[api].clusterKind);
        // Namespaces team-a and team-c lack the label; the input error is the cluster report's too.
        expect(cluster.summary).toEqual({ pass: 1, fail: 2, warn: 0, error: 1, skip: 0 });
        expect((live.get('team-a/palisade-team-a') as Live).summary).toEqual({
          pass: 1,
          fail: 1,
          warn: 0,
          error: 0,
          skip: 0,
        });
      });

      it('writes nothing when a later run has the same results, keeping their timestamps', async () => {
        const before = await liveReports(api);
        const started = performance.now();
        const result = await writeReports(
          client,
          runOf(PODS, { timestamp: new Date('2026-01-02T00:00:00Z') }),
          {
            api,
          },
        );
        const ms = performance.now() - started;
        expect(result).toEqual({ reports: 4, applied: 0, unchanged: 4, deleted: 0 });
        const after = await liveReports(api);
        expect(versions(after)).toEqual(versions(before));
        console.log(`${api}: no-op write of 4 reports in ${ms.toFixed(1)} ms`);
      });

      it('rewrites only the changed namespace; its unchanged results keep their timestamp', async () => {
        const before = await liveReports(api);
        const fixed = PODS.map((p) => (p.name === 'web' ? { ...p, privileged: false } : p));
        const result = await writeReports(
          client,
          runOf(fixed, { timestamp: new Date('2026-01-03T00:00:00Z') }),
          {
            api,
          },
        );
        expect(result).toEqual({ reports: 4, applied: 1, unchanged: 3, deleted: 0 });
        const after = await liveReports(api);
        const teamA = after.get('team-a/palisade-team-a') as Live;
        expect(teamA.metadata.resourceVersion).not.toBe(
          before.get('team-a/palisade-team-a')?.metadata.resourceVersion,
        );
        const seconds = (name: string) =>
          teamA.results.find((r) => r.resources?.[0]?.name === name)?.timestamp.seconds;
        expect(seconds('api')).toBe(Date.parse('2026-01-01T00:00:00Z') / 1000);
        expect(seconds('web')).toBe(Date.parse('2026-01-03T00:00:00Z') / 1000);
        expect(teamA.summary).toMatchObject({ pass: 2, fail: 0 });
        for (const key of ['team-b/palisade-team-b', 'team-c/palisade-team-c', '/palisade-cluster'])
          expect(after.get(key)?.metadata.resourceVersion).toBe(before.get(key)?.metadata.resourceVersion);
      });

      it('drops results of deleted resources and removed policies, and deletes reports left without results', async () => {
        // team-c's only pod deleted, the namespace policy removed: no namespace results, no cluster results but
        // the input error; then the input error fixed too.
        const pods = PODS.filter((p) => p.namespace !== 'team-c');
        const first = await writeReports(client, runOf(pods, { policies: [config(noPrivileged)] }), { api });
        expect(first).toEqual({ reports: 3, applied: 2, unchanged: 1, deleted: 1 });
        let live = await liveReports(api);
        expect([...live.keys()].sort()).toEqual([
          '/palisade-cluster',
          'team-a/palisade-team-a',
          'team-b/palisade-team-b',
        ]);
        expect((live.get('/palisade-cluster') as Live).results.map((r) => r.policy)).toEqual(['input']);
        expect((live.get('team-a/palisade-team-a') as Live).results.map((r) => r.policy)).toEqual([
          'no-privileged',
          'no-privileged',
        ]);
        const second = await writeReports(
          client,
          runOf(pods, { policies: [config(noPrivileged)], inputError: false }),
          { api },
        );
        expect(second).toEqual({ reports: 2, applied: 0, unchanged: 2, deleted: 1 });
        live = await liveReports(api);
        expect([...live.keys()].sort()).toEqual(['team-a/palisade-team-a', 'team-b/palisade-team-b']);
      });

      it('never touches reports outside its scope, nor reports that are not ours', async () => {
        const kind = API_PATHS[api].kind;
        const apiVersion = api === 'openreports' ? 'openreports.io/v1alpha1' : 'wgpolicyk8s.io/v1alpha2';
        await cluster.apply({
          apiVersion,
          kind,
          metadata: { name: 'someone-else', namespace: 'team-a' },
          results: [],
        });
        const before = await liveReports(api);
        // A run with no results at all: in scope team-a, only our team-a report goes.
        const empty = runOf([], { policies: [config(noPrivileged)], inputError: false });
        const result = await writeReports(client, empty, { api, scope: ['team-a'] });
        expect(result).toEqual({ reports: 0, applied: 0, unchanged: 0, deleted: 1 });
        const after = await liveReports(api);
        expect([...after.keys()].sort()).toEqual(['team-a/someone-else', 'team-b/palisade-team-b']);
        expect(after.get('team-b/palisade-team-b')?.metadata.resourceVersion).toBe(
          before.get('team-b/palisade-team-b')?.metadata.resourceVersion,
        );
        // Writing in scope team-a writes team-a's report only, though the run has team-b's results too.
        const scoped = await writeReports(client, runOf(PODS), { api, scope: ['team-a', 'team-c'] });
        expect(scoped).toEqual({ reports: 2, applied: 2, unchanged: 0, deleted: 0 });
        expect(versions(await liveReports(api)).get('team-b/palisade-team-b')).toBe(
          before.get('team-b/palisade-team-b')?.metadata.resourceVersion,
        );
      });
    });
  }

  /** A run of `count` failing pods in namespace team-a, with long messages (about 1 kB of JSON per result). */
  function bigRun(count: number): ValidationRun {
    const base = runOf([{ namespace: 'team-a', name: 'p', privileged: true }], {
      policies: [config(noPrivileged)],
      inputError: false,
    });
    const pod = base.resources.find((r) => r.kind === 'Pod') as CheckedResource;
    const resources = Array.from({ length: count }, (_, i) => ({
      ...pod,
      name: `pod-${String(i).padStart(6, '0')}-${'x'.repeat(200)}`,
      results: pod.results.map((r) => ({ ...r, message: `${r.message} ${'detail '.repeat(60)}` })),
    }));
    return { ...base, resources };
  }

  it('splits a namespace over several reports under maxReportBytes, and deletes the surplus when it shrinks', async () => {
    const maxReportBytes = 16 * 1024;
    const run = bigRun(60);
    const result = await writeReports(client, run, { api: 'wgpolicyk8s', maxReportBytes });
    const live = [...(await liveReports('wgpolicyk8s')).values()].filter(
      (r) => r.metadata.namespace === 'team-a' && r.metadata.name.startsWith('palisade-'),
    );
    expect(result.reports).toBe(live.length);
    expect(live.length).toBeGreaterThan(3);
    expect(live.map((r) => r.metadata.name).sort()).toEqual(
      [
        'palisade-team-a',
        ...Array.from({ length: live.length - 1 }, (_, i) => `palisade-team-a-${i + 2}`),
      ].sort(),
    );
    for (const report of live) {
      const { metadata, ...content } = report;
      expect(JSON.stringify(content).length).toBeLessThanOrEqual(maxReportBytes);
      expect(report.summary.fail).toBe(report.results.length);
    }
    expect(live.reduce((n, r) => n + r.results.length, 0)).toBe(60);
    // The same results a second later, their timestamps of another length (nanos 0 against 123000000): the parts are
    // cut where they were, and nothing is written.
    const at = run.metadata.timestamp.getTime();
    const later = new Date(Math.floor(at / 1000) * 1000 + 1000 + (at % 1000 === 0 ? 123 : 0));
    const again = await writeReports(
      client,
      { ...run, metadata: { ...run.metadata, timestamp: later } },
      { api: 'wgpolicyk8s', maxReportBytes },
    );
    expect(again).toEqual({ reports: live.length, applied: 0, unchanged: live.length, deleted: 0 });
    const shrunk = await writeReports(client, bigRun(10), { api: 'wgpolicyk8s', maxReportBytes });
    expect(shrunk.deleted).toBe(live.length - shrunk.reports);
    const remaining = [...(await liveReports('wgpolicyk8s')).values()].filter(
      (r) => r.metadata.namespace === 'team-a' && r.metadata.name.startsWith('palisade-'),
    );
    expect(remaining.length).toBe(shrunk.reports);
    expect(remaining.reduce((n, r) => n + r.results.length, 0)).toBe(10);
    console.log(
      `split: 60 results in ${live.length} reports of <= ${maxReportBytes} bytes; 10 in ${shrunk.reports}`,
    );
  });

  it('splits results a single report could not hold (refused by the API server) at the default limit', async () => {
    const run = bigRun(1800);
    const bytes = JSON.stringify(buildPolicyReports(run)).length;
    expect(bytes).toBeGreaterThan(1.5 * 1024 * 1024);
    const refused = await writeReports(client, run, {
      api: 'wgpolicyk8s',
      maxReportBytes: Number.POSITIVE_INFINITY,
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReportWriteError);
    expect((refused as Error).message).toMatch(/PolicyReport team-a\/palisade-team-a .*request is too large/);
    const started = performance.now();
    const result = await writeReports(client, run, { api: 'wgpolicyk8s' });
    const ms = performance.now() - started;
    const live = [...(await liveReports('wgpolicyk8s')).values()].filter(
      (r) => r.metadata.namespace === 'team-a' && r.metadata.name.startsWith('palisade-'),
    );
    expect(live.length).toBe(result.reports);
    expect(result.reports).toBeGreaterThanOrEqual(2);
    expect(live.reduce((n, r) => n + r.results.length, 0)).toBe(1800);
    const again = performance.now();
    expect(await writeReports(client, run, { api: 'wgpolicyk8s' })).toMatchObject({ applied: 0, deleted: 0 });
    console.log(
      `large: ${bytes} bytes of results as ${result.reports} reports, written in ${ms.toFixed(0)} ms; no-op rewrite in ${(performance.now() - again).toFixed(0)} ms`,
    );
  });

  it('lists all but the passes with results: violations, counting them in the summary; one or four namespaces at a time alike', async () => {
    const ours = async () =>
      new Map(
        [...(await liveReports('wgpolicyk8s'))].filter(([, r]) => r.metadata.name.startsWith('palisade-')),
      );
    const content = (r: Live) => ({ summary: r.summary, results: r.results });
    const run = runOf(PODS);
    await writeReports(client, run, { api: 'wgpolicyk8s', concurrency: 1 });
    const whole = await ours();
    expect([...whole.keys()].sort()).toEqual([
      '/palisade-cluster',
      'team-a/palisade-team-a',
      'team-b/palisade-team-b',
      'team-c/palisade-team-c',
    ]);

    const violations = await writeReports(client, run, {
      api: 'wgpolicyk8s',
      results: 'violations',
      concurrency: 4,
    });
    // team-b's one result is a fail: its report is the same either way.
    expect(violations).toEqual({ reports: 4, applied: 3, unchanged: 1, deleted: 0 });
    const slim = await ours();
    expect([...slim.keys()].sort()).toEqual([...whole.keys()].sort());
    for (const [key, report] of whole) {
      const listed = slim.get(key) as Live;
      expect(listed.summary, key).toEqual(report.summary);
      expect(listed.results, key).toEqual(report.results.filter((r) => r.result !== 'pass'));
    }
    // team-c's only pod passes: its report says so in the summary, with no result listed.
    expect(content(slim.get('team-c/palisade-team-c') as Live)).toEqual({
      summary: { pass: 1, fail: 0, warn: 0, error: 0, skip: 0 },
      results: [],
    });
    expect(
      await writeReports(client, run, { api: 'wgpolicyk8s', results: 'violations', concurrency: 4 }),
    ).toEqual({ reports: 4, applied: 0, unchanged: 4, deleted: 0 });

    // Back to every result, four namespaces at once: the reports the serial write gave.
    expect(await writeReports(client, run, { api: 'wgpolicyk8s', concurrency: 4 })).toMatchObject({
      applied: 3,
    });
    const again = await ours();
    for (const [key, report] of whole) expect(content(again.get(key) as Live), key).toEqual(content(report));
  });
});
