import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectPolicies } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { catalogue } from '@palisade/policies';
import { type ClusterResource, type PolicyConfig, Validator } from '@palisade/validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuditedCollection, auditCluster } from './audit.js';
import { KubeClient, KubeConfigError } from './client.js';
import { discoverKinds } from './discovery.js';

/**
 * auditCluster against a real API server: discovery (CRD kinds, missing kinds), paged lists, the validator's
 * verdicts on the objects as the API serves them, a kind the user may not list, and a continue token that expires
 * mid-list. ListFromCacheSnapshot is off so that continue pages are read from etcd, where compaction expires them
 * (docs/cluster.md).
 */

const restricted: PolicyConfig[] = selectPolicies(catalogue, { profile: 'restricted' });

const WIDGET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget', listKind: 'WidgetList' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const container = (name: string, privileged: boolean) => ({
  name,
  image: 'registry.example.com/app:1.0',
  securityContext: privileged
    ? { privileged: true }
    : {
        allowPrivilegeEscalation: false,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
});

const pod = (namespace: string, name: string, privileged: boolean) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name } },
  spec: { containers: [container('app', privileged)] },
});

const deployment = (namespace: string, name: string, privileged: boolean) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [container('app', privileged)] } },
  },
});

const PODS = Array.from({ length: 7 }, (_, i) => pod('team-a', `web-${i}`, i % 3 === 0));
const DEPLOYMENTS = Array.from({ length: 3 }, (_, i) => deployment('team-b', `api-${i}`, i === 1));

/** The verdicts as pairs of uid and results, for comparing audits. */
const verdicts = (resources: readonly ClusterResource[]) =>
  resources
    .map((r) => ({
      uid: r.uid,
      kind: r.kind,
      results: r.results.map((x) => [x.policy.id, x.status, x.message]),
    }))
    .sort((a, b) => (a.uid < b.uid ? -1 : 1));

describe('auditCluster in a real API server', { timeout: ENGINE_TEST_TIMEOUT_MS }, () => {
  let cluster: KubeCluster;
  let client: KubeClient;

  beforeAll(async () => {
    cluster = await startCluster({ apiserverArgs: ['--feature-gates=ListFromCacheSnapshot=false'] });
    client = await KubeClient.load({ kubeconfig: cluster.admin.kubeconfig });
    for (const name of ['team-a', 'team-b'])
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await cluster.apply(WIDGET_CRD);
    await cluster.waitForCrds([WIDGET_CRD.metadata.name]);
    for (const object of [...PODS, ...DEPLOYMENTS]) {
      const created = await cluster.create(object);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
  });

  afterAll(async () => {
    client?.close();
    await cluster?.stop();
  });

  it('loads credentials as kubectl does: a file, KUBECONFIG, a context; and says what is wrong', async () => {
    expect(client.server).toBe(cluster.server);
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      process.env.KUBECONFIG = cluster.user.kubeconfig;
      const fromEnv = await KubeClient.load();
      expect(fromEnv.server).toBe(cluster.server);
      expect(fromEnv.source).toContain(cluster.user.kubeconfig);
      fromEnv.close();
      await expect(KubeClient.load({ context: 'nowhere' })).rejects.toThrow(
        /no context "nowhere" \(it has .+\)/,
      );
      await expect(KubeClient.load({ kubeconfig: join(cluster.dir, 'missing') })).rejects.toThrow(
        /missing: no such kubeconfig file/,
      );
      // No KUBECONFIG, no ~/.kube/config, not in a pod: an error, not client-node's guess of localhost:8080.
      process.env.KUBECONFIG = '';
      process.env.HOME = mkdtempSync(join(tmpdir(), 'palisade-home-'));
      await expect(KubeClient.load()).rejects.toBeInstanceOf(KubeConfigError);
    } finally {
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
    }
  });

  it('discovers the kinds the policies match, CRD kinds included, and names those the cluster lacks', async () => {
    const { found, missing } = await discoverKinds(client, [
      'Pod',
      'Deployment',
      'CronJob',
      'Widget',
      'Gadget',
    ]);
    expect(found).toEqual([
      { kind: 'Pod', group: '', version: 'v1', resource: 'pods', namespaced: true },
      { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', namespaced: true },
      { kind: 'CronJob', group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true },
      { kind: 'Widget', group: 'example.com', version: 'v1', resource: 'widgets', namespaced: true },
    ]);
    expect(missing).toEqual(['Gadget']);
  });

  it('gives the validator verdicts on every object as the API serves it, page by page', async () => {
    const pages: string[] = [];
    const audit = await auditCluster({
      client,
      policies: restricted,
      pageSize: 2,
      onPage: (collection, page) => {
        pages.push(`${collection.kind.kind}#${page}`);
      },
    });
    expect(audit.run.errors).toEqual([]);
    expect(audit.missingKinds).toEqual([]);
    // Every Pod kind the profile matches is listed, in all namespaces; only Pods and Deployments exist.
    expect(audit.collections.map((c) => c.path)).toEqual(
      expect.arrayContaining(['/api/v1/pods', '/apis/apps/v1/deployments', '/apis/batch/v1/cronjobs']),
    );
    expect(audit.collections.every((c) => c.resourceVersion !== undefined)).toBe(true);
    expect(pages.filter((p) => p.startsWith('Pod#'))).toEqual(['Pod#1', 'Pod#2', 'Pod#3', 'Pod#4']);
    expect(audit.run.resources).toHaveLength(PODS.length + DEPLOYMENTS.length);

    // The same verdicts as the validator gives on each object read back from the API (without managedFields).
    const validator = new Validator({ policies: restricted });
    for (const resource of audit.run.resources) {
      const path = await cluster.collectionPath(resource.apiVersion, resource.kind, resource.namespace);
      const { body } = await cluster.request<Record<string, unknown>>({
        method: 'GET',
        path: `${path}/${resource.name}`,
      });
      const { managedFields: _, ...metadata } = body.metadata as Record<string, unknown>;
      const object = { ...body, metadata };
      expect(resource.uid).toBe(metadata.uid);
      expect(resource.results.map((r) => [r.policy.id, r.status, r.message])).toEqual(
        validator.validate(object).map((r) => [r.policy.id, r.status, r.message]),
      );
    }
    const failing = audit.run.resources.filter((r) => r.results.some((x) => x.status === 'fail'));
    expect(failing.map((r) => r.name).sort()).toEqual(['api-1', 'web-0', 'web-3', 'web-6']);
  });

  it('audits only the namespaces asked for, and then no cluster-scoped kind', async () => {
    const audit = await auditCluster({ client, policies: restricted, namespaces: ['team-b'] });
    expect(audit.run.resources.map((r) => `${r.kind} ${r.namespace}/${r.name}`)).toEqual([
      'Deployment team-b/api-0',
      'Deployment team-b/api-1',
      'Deployment team-b/api-2',
    ]);
    expect(audit.collections.every((c) => c.namespace === 'team-b')).toBe(true);
  });

  it('reports a kind the user may not list as an error naming it and the reason, and audits the others', async () => {
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'list-pods' },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }],
    });
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'palisade-user-list-pods' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'list-pods' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: cluster.user.name }],
    });
    const user = await KubeClient.load({ kubeconfig: cluster.user.kubeconfig });
    try {
      // RBAC reads bindings from an informer: retry until the binding is seen.
      let audit = await auditCluster({ client: user, policies: restricted });
      for (let i = 0; i < 50 && audit.run.resources.length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        audit = await auditCluster({ client: user, policies: restricted });
      }
      expect(audit.run.resources.map((r) => r.kind)).toEqual(PODS.map(() => 'Pod'));
      const deployments = audit.run.errors.find((e) => e.file === '/apis/apps/v1/deployments');
      expect(deployments).toEqual({
        source: 'cluster',
        file: '/apis/apps/v1/deployments',
        message: expect.stringMatching(
          /^cannot list Deployment \(apps\/v1\): Forbidden: deployments\.apps is forbidden: User "palisade-user" cannot list resource "deployments"/,
        ),
      });
      // Every Pod controller kind is an error of its own; none is silently skipped.
      expect(audit.run.errors).toHaveLength(audit.collections.length - 1);
      expect(audit.collections.find((c) => c.kind.kind === 'Deployment')?.resourceVersion).toBeUndefined();
    } finally {
      user.close();
    }
  });

  it('lists again from the start when a continue token expires, and keeps each object once', async () => {
    const clean = await auditCluster({ client, policies: restricted, pageSize: 2 });
    let compacted = false;
    const podPages: number[] = [];
    const audit = await auditCluster({
      client,
      policies: restricted,
      pageSize: 2,
      onPage: async (collection: AuditedCollection, page: number) => {
        if (collection.kind.kind !== 'Pod') return;
        podPages.push(page);
        if (compacted) return;
        compacted = true;
        // A write moves etcd past the list's revision; compacting to it expires the list's continue token.
        await cluster.apply({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'tick', namespace: 'team-a' },
        });
        await cluster.compactEtcd();
      },
    });
    expect(podPages[0]).toBe(1);
    // The pages after the compaction were refused (410 Expired) and the list started again at page 1.
    expect(podPages.slice(1).includes(1)).toBe(true);
    expect(podPages.slice(-4)).toEqual([1, 2, 3, 4]);
    expect(audit.run.errors).toEqual([]);
    expect(verdicts(audit.run.resources)).toEqual(verdicts(clean.run.resources));
  });
});
