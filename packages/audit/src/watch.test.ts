import { selectPolicies } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { catalogue } from '@palisade/policies';
import { installReportCrds } from '@palisade/testing';
import { buildPolicyReports, type PolicyConfig, type PolicyReport } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCluster } from './audit.js';
import { KubeClient } from './client.js';
import { type WatchWrite, watchCluster } from './watch.js';

/**
 * watchCluster against a real API server: objects created, changed and deleted, and the reports in the cluster
 * converge to what a fresh audit writes; the API server restarted (and etcd compacted, so the old resourceVersion
 * is gone) mid-watch, and the watch reconnects and converges again; aborting stops it cleanly.
 */

const baseline: PolicyConfig[] = selectPolicies(catalogue, { profile: 'baseline' });

const deployment = (namespace: string, name: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: {
        containers: [{ name: 'app', image: 'registry.example.com/app:1.0', securityContext: { privileged } }],
      },
    },
  },
});

/** A report result as a comparable line: where it lives, what it is about, the verdict. */
const lines = (reports: readonly PolicyReport[]) =>
  reports
    .flatMap((report) =>
      report.results.map((r) =>
        JSON.stringify([
          report.metadata.namespace ?? '',
          r.resources?.[0]?.kind,
          r.resources?.[0]?.name,
          r.policy,
          r.result,
          r.message,
        ]),
      ),
    )
    .sort();

describe('watchCluster in a real API server', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  let client: KubeClient;

  beforeAll(async () => {
    cluster = await startCluster();
    client = await KubeClient.load({ kubeconfig: cluster.admin.kubeconfig });
    await installReportCrds(cluster, 'wgpolicyk8s');
    for (const name of ['team-a', 'team-b'])
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    for (const [namespace, name, privileged] of [
      ['team-a', 'web', true],
      ['team-a', 'api', false],
      ['team-b', 'db', true],
      ['team-b', 'cache', false],
    ] as const)
      await cluster.apply(deployment(namespace, name, privileged));
  }, ENGINE_TEST_TIMEOUT_MS);
  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  /** The reports in the cluster, as lines. */
  async function live(): Promise<string[]> {
    const reports: PolicyReport[] = [];
    for (const resource of ['policyreports', 'clusterpolicyreports']) {
      const { body } = await client.request<{ items: PolicyReport[] }>({
        method: 'GET',
        path: `/apis/wgpolicyk8s.io/v1alpha2/${resource}`,
      });
      reports.push(...body.items);
    }
    return lines(reports);
  }

  /** What a fresh audit would write, as lines. */
  async function fresh(): Promise<string[]> {
    const audit = await auditCluster({ client, policies: baseline });
    return lines(buildPolicyReports(audit.run));
  }

  /**
   * Waits until the reports in the cluster say what a fresh audit says; returns how long it took. Reads that fail
   * (an API server still starting: 429 while a CRD's storage initialises) are tried again until the deadline.
   */
  async function converged(timeoutMs = 30_000): Promise<number> {
    const started = performance.now();
    let expected: string[] | undefined;
    let actual: string[] | undefined;
    for (;;) {
      try {
        expected = await fresh();
        actual = await live();
        if (JSON.stringify(actual) === JSON.stringify(expected)) break;
      } catch (error) {
        if (performance.now() - started > timeoutMs) throw error;
      }
      if (performance.now() - started > timeoutMs) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(actual).toEqual(expected);
    return performance.now() - started;
  }

  it('keeps the reports what a fresh audit gives through changes, deletions and an API server restart', async () => {
    const controller = new AbortController();
    const writes: WatchWrite[] = [];
    const logs: string[] = [];
    const watching = watchCluster({
      client,
      policies: baseline,
      reportApi: 'wgpolicyk8s',
      signal: controller.signal,
      debounceMs: 200,
      backoffMs: 100,
      maxBackoffMs: 1000,
      onWrite: (write) => writes.push(write),
      onLog: (message) => logs.push(message),
    });
    try {
      await converged();
      expect(writes[0]?.namespaces).toBeUndefined();
      expect((await live()).some((l) => l.includes('"web"') && l.includes('"fail"'))).toBe(true);

      // Created, changed (privileged no more), deleted, and a new namespace.
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-c' } });
      await cluster.apply(deployment('team-c', 'queue', true));
      await cluster.apply(deployment('team-a', 'web', false));
      const gone = await cluster.request({
        method: 'DELETE',
        path: '/apis/apps/v1/namespaces/team-b/deployments/db',
      });
      expect(gone.status).toBe(200);
      const afterChanges = await converged();
      const lineNow = await live();
      expect(lineNow.some((l) => l.includes('"web"') && l.includes('"fail"'))).toBe(false);
      expect(lineNow.some((l) => l.includes('"db"'))).toBe(false);
      expect(lineNow.some((l) => l.includes('"team-c"') && l.includes('"queue"'))).toBe(true);
      // Later writes are per namespace, never the whole cluster again.
      expect(writes.slice(1).every((w) => w.namespaces !== undefined)).toBe(true);

      // The API server goes away mid-watch; etcd is compacted, so the watches' resourceVersions are gone after it.
      await cluster.restartApiServer({ downMs: 1000 });
      await cluster.compactEtcd();
      await converged();
      await cluster.apply(deployment('team-b', 'db', true));
      await cluster.apply(deployment('team-c', 'queue', false));
      const afterRestart = await converged();
      expect(logs.some((l) => /retrying in \d+ ms/.test(l))).toBe(true);
      console.log(
        `watch: converged ${Math.round(afterChanges)} ms after changes, ${Math.round(afterRestart)} ms after a restart; ${writes.length} writes; log:\n  ${logs.join('\n  ')}`,
      );
    } finally {
      controller.abort();
    }
    // Stopping is prompt and clean: every watch ends, the last changes are flushed.
    const stopped = performance.now();
    await watching;
    expect(performance.now() - stopped).toBeLessThan(5000);
  });
});
