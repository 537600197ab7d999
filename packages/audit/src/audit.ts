import type { PolicyException } from '@palisade/core';
import {
  type ClusterResource,
  checkClusterResource,
  type InputError,
  type PolicyConfig,
  type RunMetadata,
  type ValidationRun,
  Validator,
} from '@palisade/validator';
import { KubeApiError, type KubeClient } from './client.js';
import { type AuditedKind, apiVersionOf, collectionPath, discoverKinds } from './discovery.js';
import { clusterObject, listCollection } from './list.js';

/**
 * One audit of a live cluster: the kinds the policies match, discovered; each listed page by page and checked by the
 * validator as it arrives (only results outlive a page, so memory grows with the results, not the objects); a kind
 * that cannot be listed is an input error naming it, and every other kind is still audited.
 */

export interface AuditProgress {
  /** Collections (a kind, in all namespaces or in one) listed so far, and how many there are. */
  collectionsDone: number;
  collections: number;
  objects: number;
}

export interface AuditOptions {
  client: KubeClient;
  policies: readonly PolicyConfig[];
  exceptions?: readonly PolicyException[];
  /** The clock for exception expiry and report timestamps. @default new Date() */
  now?: Date;
  /**
   * Audit only these namespaces (`--namespace`): their namespaced objects, and no cluster-scoped object, which
   * belongs to none. @default every namespace and the cluster-scoped kinds
   */
  namespaces?: readonly string[];
  /** Objects per list page. @default 500 */
  pageSize?: number;
  /** The tool named in the reports. @default palisade 0.0.0 */
  tool?: RunMetadata['tool'];
  onProgress?(progress: AuditProgress): void;
  /** Runs after each page is checked, before the next is read (tests expire continue tokens here). */
  onPage?(collection: AuditedCollection, page: number): void | Promise<void>;
}

/** A collection the audit listed (or failed to): a watch of it resumes at its resourceVersion. */
export interface AuditedCollection {
  kind: AuditedKind;
  /** `/apis/apps/v1/deployments`, or `/apis/apps/v1/namespaces/NS/deployments`. */
  path: string;
  namespace: string | undefined;
  /** The list's resourceVersion; undefined when the list failed. */
  resourceVersion: string | undefined;
}

/** A run whose resources were all read from a cluster. */
export type ClusterRun = ValidationRun & { resources: ClusterResource[] };

export interface ClusterAudit {
  run: ClusterRun;
  /** Where the run's resources came from, in audit order. */
  collections: AuditedCollection[];
  /** Kinds the policies match that the cluster does not serve: nothing of them to audit. */
  missingKinds: string[];
  /** The validator the run was checked with, for a watch that goes on checking. */
  validator: Validator;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A list the API refused or that failed: the kind, and the API's reason and message. */
export function listError(collection: AuditedCollection, error: unknown): InputError {
  const kind = `${collection.kind.kind} (${apiVersionOf(collection.kind)})`;
  const reason =
    error instanceof KubeApiError
      ? `${error.reason ?? `HTTP ${error.status}`}: ${error.apiMessage}`
      : messageOf(error);
  return { source: 'cluster', file: collection.path, message: `cannot list ${kind}: ${reason}` };
}

/** An object the validator could not check: an input error naming it, as for a manifest. */
export function uncheckableObject(path: string, object: Record<string, unknown>, error: unknown): InputError {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '<unnamed>';
  const where = typeof metadata.namespace === 'string' ? `${metadata.namespace}/${name}` : name;
  return {
    source: 'cluster',
    file: path,
    message: `cannot check ${String(object.kind)} ${where}: ${messageOf(error)}`,
  };
}

/** Checks one object as listed or watched: its results, or why it cannot be checked. */
export function checkObject(
  validator: Validator,
  collection: AuditedCollection,
  item: Record<string, unknown>,
): ClusterResource | InputError {
  const object = clusterObject(collection.kind, item);
  try {
    return checkClusterResource(object, validator.validate(object));
  } catch (error) {
    return uncheckableObject(collection.path, object, error);
  }
}

/** The collections to list: each kind in all namespaces, or in each namespace asked for. */
export function collectionsOf(
  kinds: readonly AuditedKind[],
  namespaces?: readonly string[],
): AuditedCollection[] {
  const collections: AuditedCollection[] = [];
  for (const kind of kinds) {
    if (namespaces === undefined)
      collections.push({
        kind,
        path: collectionPath(kind),
        namespace: undefined,
        resourceVersion: undefined,
      });
    else if (kind.namespaced)
      for (const namespace of namespaces)
        collections.push({
          kind,
          path: collectionPath(kind, namespace),
          namespace,
          resourceVersion: undefined,
        });
  }
  return collections;
}

export interface CheckedCollection {
  resources: ClusterResource[];
  /** Objects that could not be checked, by uid. */
  uncheckable: { uid: string | undefined; error: InputError }[];
  /** Why the list failed; what was read before the failure keeps its verdicts. */
  listFailure: InputError | undefined;
}

/**
 * Lists one collection and checks each object as its page arrives; sets the collection's resourceVersion (left
 * undefined when the list fails). A list restarted on an expired continue token forgets what it had read.
 */
export async function auditCollection(
  client: KubeClient,
  validator: Validator,
  collection: AuditedCollection,
  options: {
    pageSize?: number;
    /** After each page: the objects read so far in this list, and the page's number. */
    onPage?(objects: number, page: number): void | Promise<void>;
  } = {},
): Promise<CheckedCollection> {
  const resources: ClusterResource[] = [];
  const uncheckable: CheckedCollection['uncheckable'] = [];
  let objects = 0;
  collection.resourceVersion = undefined;
  try {
    collection.resourceVersion = await listCollection(client, collection.path, {
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      onPage: async (items, page) => {
        for (const item of items) {
          const checked = checkObject(validator, collection, item);
          if ('results' in checked) resources.push(checked);
          else {
            const uid = (item.metadata as { uid?: unknown } | undefined)?.uid;
            uncheckable.push({ uid: typeof uid === 'string' ? uid : undefined, error: checked });
          }
        }
        objects += items.length;
        await options.onPage?.(objects, page);
      },
      onRestart: () => {
        resources.length = 0;
        uncheckable.length = 0;
        objects = 0;
      },
    });
  } catch (error) {
    return { resources, uncheckable, listFailure: listError(collection, error) };
  }
  return { resources, uncheckable, listFailure: undefined };
}

export async function auditCluster(options: AuditOptions): Promise<ClusterAudit> {
  const now = options.now ?? new Date();
  const validator = new Validator({
    policies: options.policies,
    ...(options.exceptions === undefined ? {} : { exceptions: options.exceptions }),
    now,
  });
  const { found, missing } = await discoverKinds(options.client, validator.kinds);
  const collections = collectionsOf(found, options.namespaces);
  const resources: ClusterResource[] = [];
  const errors: InputError[] = [];
  let objects = 0;
  let collectionsDone = 0;
  const progress = () => options.onProgress?.({ collectionsDone, collections: collections.length, objects });
  progress();
  for (const collection of collections) {
    const objectsBefore = objects;
    const checked = await auditCollection(options.client, validator, collection, {
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
      onPage: async (count, page) => {
        objects = objectsBefore + count;
        progress();
        await options.onPage?.(collection, page);
      },
    });
    resources.push(...checked.resources);
    errors.push(...checked.uncheckable.map((u) => u.error));
    if (checked.listFailure !== undefined) errors.push(checked.listFailure);
    collectionsDone++;
    progress();
  }
  const run: ClusterRun = {
    metadata: {
      tool: options.tool ?? { name: 'palisade', version: '0.0.0' },
      timestamp: now,
      policies: validator.policies,
      cluster: options.client.server,
    },
    resources,
    errors,
  };
  return { run, collections, missingKinds: missing, validator };
}
