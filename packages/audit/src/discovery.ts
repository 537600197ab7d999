import { KIND_API_GROUPS } from '@palisade/core';
import { KubeApiError, type KubeClient } from './client.js';

/**
 * Which API resources serve the kinds the policies match, asked of the API server (so CRD-backed kinds are found
 * and an API group the cluster lacks is noticed, not guessed).
 */

/** A kind as the audit lists it. */
export interface AuditedKind {
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  /** The plural resource: `deployments`. */
  resource: string;
  namespaced: boolean;
}

export interface DiscoveredKinds {
  /** In the order of the kinds asked for; a kind served by several groups once per group. */
  found: AuditedKind[];
  /** Kinds no listable resource of the cluster serves (a CRD not installed, an API group the cluster lacks). */
  missing: string[];
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(kind: AuditedKind): string {
  return kind.group === '' ? kind.version : `${kind.group}/${kind.version}`;
}

/** The collection of a kind, in one namespace or all: `/apis/apps/v1/deployments`. */
export function collectionPath(kind: AuditedKind, namespace?: string): string {
  const prefix = kind.group === '' ? `/api/${kind.version}` : `/apis/${kind.group}/${kind.version}`;
  return namespace !== undefined && kind.namespaced
    ? `${prefix}/namespaces/${encodeURIComponent(namespace)}/${kind.resource}`
    : `${prefix}/${kind.resource}`;
}

/** One resource the server serves, as both discovery documents describe it. */
interface ServedResource {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: readonly string[];
}

/** Aggregated discovery (apidiscovery.k8s.io/v2, GA in 1.30): the whole group's resources in one answer. */
interface GroupDiscoveryList {
  kind: string;
  items?: {
    metadata?: { name?: string };
    /** In the server's order of preference. */
    versions?: {
      version: string;
      resources?: {
        resource: string;
        responseKind?: { kind?: string };
        scope?: 'Namespaced' | 'Cluster';
        verbs?: string[];
      }[];
    }[];
  }[];
}

const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

async function aggregated(client: KubeClient, path: '/api' | '/apis'): Promise<ServedResource[] | undefined> {
  const { body } = await client.request<GroupDiscoveryList>({
    method: 'GET',
    path,
    headers: { accept: AGGREGATED_ACCEPT },
  });
  // A server without aggregated discovery answers with the legacy APIVersions / APIGroupList.
  if (body.kind !== 'APIGroupDiscoveryList') return undefined;
  const served: ServedResource[] = [];
  for (const group of body.items ?? [])
    for (const version of group.versions ?? [])
      for (const resource of version.resources ?? [])
        if (resource.responseKind?.kind)
          served.push({
            group: group.metadata?.name ?? '',
            version: version.version,
            resource: resource.resource,
            kind: resource.responseKind.kind,
            namespaced: resource.scope === 'Namespaced',
            verbs: resource.verbs ?? [],
          });
  return served;
}

interface ResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

/** Legacy discovery: a request per group version. A group whose aggregated API server is down is skipped. */
async function legacy(client: KubeClient): Promise<ServedResource[]> {
  const groupVersions: { group: string; version: string }[] = [];
  const core = await client.request<{ versions?: string[] }>({ method: 'GET', path: '/api' });
  for (const version of core.body.versions ?? []) groupVersions.push({ group: '', version });
  const groups = await client.request<{
    groups?: { name: string; versions?: { version: string }[]; preferredVersion?: { version: string } }[];
  }>({ method: 'GET', path: '/apis' });
  for (const group of groups.body.groups ?? []) {
    // The preferred version first, as aggregated discovery orders them.
    const versions = (group.versions ?? []).map((v) => v.version);
    const preferred = group.preferredVersion?.version;
    for (const version of preferred ? [preferred, ...versions.filter((v) => v !== preferred)] : versions)
      groupVersions.push({ group: group.name, version });
  }
  const served: ServedResource[] = [];
  for (const { group, version } of groupVersions) {
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    let list: ResourceList;
    try {
      list = (await client.request<ResourceList>({ method: 'GET', path })).body;
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 503) continue;
      throw error;
    }
    for (const r of list.resources ?? [])
      if (!r.name.includes('/'))
        served.push({
          group,
          version,
          resource: r.name,
          kind: r.kind,
          namespaced: r.namespaced,
          verbs: r.verbs ?? [],
        });
  }
  return served;
}

/**
 * Where each kind is served. A kind Palisade knows (Pod, Deployment, …) is looked for only in its own group, as the
 * admission targets match it; another kind (a CRD's) in every group that serves a kind of that name. In each group,
 * the server's preferred version that serves the kind; only resources that can be listed count.
 */
export async function discoverKinds(client: KubeClient, kinds: readonly string[]): Promise<DiscoveredKinds> {
  const core = await aggregated(client, '/api');
  const served =
    core === undefined ? await legacy(client) : [...core, ...((await aggregated(client, '/apis')) ?? [])];
  const found: AuditedKind[] = [];
  const missing: string[] = [];
  for (const kind of [...new Set(kinds)]) {
    const known = KIND_API_GROUPS[kind]?.group;
    const groups = new Set<string>();
    for (const r of served) {
      if (r.kind !== kind || !r.verbs.includes('list') || groups.has(r.group)) continue;
      if (known !== undefined && r.group !== known) continue;
      groups.add(r.group);
      found.push({
        kind,
        group: r.group,
        version: r.version,
        resource: r.resource,
        namespaced: r.namespaced,
      });
    }
    if (groups.size === 0) missing.push(kind);
  }
  return { found, missing };
}
