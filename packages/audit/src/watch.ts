import type { PolicyException } from '@palisade/core';
import {
  type ClusterResource,
  type InputError,
  type PolicyConfig,
  type RunMetadata,
  Validator,
} from '@palisade/validator';
import {
  type AuditedCollection,
  auditCollection,
  type ClusterRun,
  checkObject,
  collectionsOf,
  listError,
} from './audit.js';
import { KubeApiError, type KubeClient, type WatchEvent } from './client.js';
import { discoverKinds } from './discovery.js';
import { type ReportApi, type ReportResults, type WriteReportsResult, writeReports } from './reports.js';

/**
 * `palisade audit --watch`: the audit kept current, as an informer keeps a cache. Each collection is listed, then
 * watched from the list's resourceVersion; each event re-checks one object and marks its namespace's report dirty;
 * dirty reports are written together after a quiet moment (debounced), through writeReports, so unchanged reports
 * cost nothing. A watch that expires (410 Gone) lists again; a broken connection (an API server restart) reconnects
 * with exponential backoff; a periodic resync lists everything again with a fresh clock, so exceptions that expire
 * while the watch runs stop applying. The stream handling is KubeClient's own (client.ts says why, not
 * client-node's informer: in 1.4.0 it stops on any error but 410 and converts objects through its typed models).
 */

export interface WatchOptions {
  client: KubeClient;
  policies: readonly PolicyConfig[];
  exceptions?: readonly PolicyException[];
  /** Watch only these namespaces; their reports are the only ones written. @default all, and the cluster report */
  namespaces?: readonly string[];
  reportApi: ReportApi;
  fieldManager?: string;
  maxReportBytes?: number;
  /** Which results the reports list (writeReports' `results`). @default 'all' */
  reportResults?: ReportResults;
  /** Ends the watch: pending report writes are flushed first, then watchCluster resolves. */
  signal: AbortSignal;
  /** Quiet time after the last change before dirty reports are written. @default 2000 */
  debounceMs?: number;
  /** A full list of every collection, with a fresh clock for exception expiry. @default 3600000 (1 h) */
  resyncMs?: number;
  /** First reconnect delay after a failure; doubles per failure up to `maxBackoffMs`. @default 500 */
  backoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** The server's `timeoutSeconds` for each watch request (the client reconnects after it). @default 300-600, random */
  watchTimeoutSeconds?: number;
  pageSize?: number;
  tool?: RunMetadata['tool'];
  /** The clock. @default () => new Date() */
  now?: () => Date;
  /** After the first audit and each later write of reports. */
  onWrite?(event: WatchWrite): void;
  /** Reconnects, relists, failed writes: one line each, for the log. */
  onLog?(message: string): void;
}

export interface WatchWrite {
  /** Namespaces whose reports were written ('' = the cluster report); undefined for the first, whole write. */
  namespaces: string[] | undefined;
  result: WriteReportsResult;
  /** The run the reports were written from (the whole audit as it stands). */
  run: ClusterRun;
}

/** What the watch knows of one collection: each object's verdicts by uid, and what could not be checked. */
interface CollectionState {
  collection: AuditedCollection;
  resources: Map<string, ClusterResource>;
  /** Objects that could not be checked, by uid. */
  uncheckable: Map<string, InputError>;
  /** The collection could not be listed (or watched and then listed again): its error, until a list succeeds. */
  listFailure: InputError | undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The order a fresh list gives (etcd keys: namespace, then name), so a watched run reports as an audit does. */
const byNamespaceAndName = (a: ClusterResource, b: ClusterResource) => {
  const ka = `${a.namespace ?? ''}/${a.name ?? ''}`;
  const kb = `${b.namespace ?? ''}/${b.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** The namespace an object's report lives in ('' = the cluster report). */
const reportNamespace = (object: Record<string, unknown>) => {
  const namespace = (object.metadata as { namespace?: unknown } | undefined)?.namespace;
  return typeof namespace === 'string' ? namespace : '';
};

export async function watchCluster(options: WatchOptions): Promise<void> {
  const { client, signal } = options;
  const clock = options.now ?? (() => new Date());
  const debounceMs = options.debounceMs ?? 2000;
  const resyncMs = options.resyncMs ?? 3_600_000;
  const backoffMs = options.backoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const log = (message: string) => options.onLog?.(message);
  /** Reports this watch owns: a namespace-limited watch never touches other namespaces or the cluster report. */
  const owned = options.namespaces === undefined ? undefined : new Set(options.namespaces);
  const newValidator = (now: Date) =>
    new Validator({
      policies: options.policies,
      ...(options.exceptions === undefined ? {} : { exceptions: options.exceptions }),
      now,
    });

  let validator = newValidator(clock());
  const { found, missing } = await discoverKinds(client, validator.kinds);
  for (const kind of missing) log(`the cluster serves no ${kind}: nothing of that kind to watch`);
  const states: CollectionState[] = collectionsOf(found, options.namespaces).map((collection) => ({
    collection,
    resources: new Map(),
    uncheckable: new Map(),
    listFailure: undefined,
  }));

  const dirty = new Set<string>();
  const markDirty = (namespace: string) => {
    if (owned === undefined || owned.has(namespace)) dirty.add(namespace);
  };

  /** Lists a collection into its state; marks dirty each namespace whose objects it had or now has. */
  const relist = async (state: CollectionState) => {
    const before = new Set([...state.resources.values()].map((r) => r.namespace ?? ''));
    const checked = await auditCollection(client, validator, state.collection, {
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    });
    const hadErrors = state.listFailure !== undefined || state.uncheckable.size > 0;
    state.resources.clear();
    state.uncheckable.clear();
    state.listFailure = checked.listFailure;
    for (const resource of checked.resources) state.resources.set(resource.uid, resource);
    for (const [i, { uid, error }] of checked.uncheckable.entries())
      state.uncheckable.set(uid ?? `unnamed-${i}`, error);
    const hasErrors = state.listFailure !== undefined || state.uncheckable.size > 0;
    for (const namespace of before) markDirty(namespace);
    for (const resource of checked.resources) markDirty(resource.namespace ?? '');
    // Input errors are the cluster report's.
    if (hadErrors || hasErrors) markDirty('');
    return state.collection.resourceVersion !== undefined;
  };

  const run = (): ClusterRun => {
    const resources: ClusterResource[] = [];
    const errors: InputError[] = [];
    for (const state of states) {
      resources.push(...[...state.resources.values()].sort(byNamespaceAndName));
      errors.push(...state.uncheckable.values());
      if (state.listFailure !== undefined) errors.push(state.listFailure);
    }
    return {
      metadata: {
        tool: options.tool ?? { name: 'palisade', version: '0.0.0' },
        timestamp: clock(),
        policies: validator.policies,
        cluster: client.server,
      },
      resources,
      errors,
    };
  };

  const write = async (namespaces: string[] | undefined) => {
    const current = run();
    const scope = namespaces ?? (owned === undefined ? undefined : [...owned]);
    const result = await writeReports(client, current, {
      api: options.reportApi,
      ...(scope === undefined ? {} : { scope }),
      ...(options.fieldManager === undefined ? {} : { fieldManager: options.fieldManager }),
      ...(options.maxReportBytes === undefined ? {} : { maxReportBytes: options.maxReportBytes }),
      ...(options.reportResults === undefined ? {} : { results: options.reportResults }),
    });
    options.onWrite?.({ namespaces, result, run: current });
  };

  // The first audit, written whole (as `palisade audit --write-reports` does); a missing report CRD throws here.
  for (const state of states) await relist(state);
  await write(undefined);
  dirty.clear();

  /** The debounced writer: one write at a time; changes during a write are written after it. */
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> | undefined;
  let writeFailures = 0;
  const flush = async () => {
    timer = undefined;
    if (dirty.size === 0) return;
    const namespaces = [...dirty].sort();
    dirty.clear();
    try {
      await write(namespaces);
      writeFailures = 0;
    } catch (error) {
      for (const namespace of namespaces) dirty.add(namespace);
      writeFailures++;
      log(
        `cannot write the reports of ${namespaces.map((n) => n || '(cluster)').join(', ')}: ${messageOf(error)}`,
      );
    }
  };
  const schedule = () => {
    if (timer !== undefined || writing !== undefined || signal.aborted) return;
    const delay =
      writeFailures === 0 ? debounceMs : Math.min(maxBackoffMs, backoffMs * 2 ** (writeFailures - 1));
    timer = setTimeout(() => {
      writing = flush().finally(() => {
        writing = undefined;
        if (dirty.size > 0) schedule();
      });
    }, delay);
  };

  const apply = (state: CollectionState, event: WatchEvent) => {
    const object = event.object;
    const uid = (object.metadata as { uid?: unknown } | undefined)?.uid;
    if (typeof uid !== 'string') return;
    const namespace = reportNamespace(object);
    const had = state.resources.get(uid);
    if (event.type === 'DELETED') {
      state.resources.delete(uid);
      if (state.uncheckable.delete(uid)) markDirty('');
    } else {
      const checked = checkObject(validator, state.collection, object);
      if ('results' in checked) {
        state.resources.set(uid, checked);
        if (state.uncheckable.delete(uid)) markDirty('');
      } else {
        state.resources.delete(uid);
        state.uncheckable.set(uid, checked);
        markDirty('');
      }
    }
    if (had !== undefined) markDirty(had.namespace ?? '');
    markDirty(namespace);
    schedule();
  };

  /** One collection's list-then-watch loop, until the signal aborts. */
  const watchLoop = async (state: CollectionState) => {
    const { collection } = state;
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (collection.resourceVersion === undefined) {
          const listed = await relist(state);
          schedule();
          if (!listed) throw new Error(state.listFailure?.message ?? 'the list failed');
          if (failures > 0) log(`${collection.path}: listed again`);
        }
        const timeoutSeconds = options.watchTimeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
        await client.watch(
          {
            path: collection.path,
            query: {
              resourceVersion: collection.resourceVersion ?? '',
              allowWatchBookmarks: 'true',
              timeoutSeconds: String(timeoutSeconds),
            },
            signal: AbortSignal.any([signal, resync.signal]),
            // Bookmarks arrive about once a minute; silence well past the server's own timeout is a dead peer.
            idleTimeoutMs: (timeoutSeconds + 60) * 1000,
          },
          (event) => {
            const resourceVersion = (event.object.metadata as { resourceVersion?: unknown } | undefined)
              ?.resourceVersion;
            if (event.type === 'ERROR') {
              const code = (event.object as { code?: unknown }).code;
              throw new KubeApiError(typeof code === 'number' ? code : 500, event.object, collection.path);
            }
            if (event.type !== 'BOOKMARK') apply(state, event);
            if (typeof resourceVersion === 'string') collection.resourceVersion = resourceVersion;
            failures = 0;
          },
        );
        // The server ended the watch (its timeout): watch again from where it stopped.
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof KubeApiError && error.status === 410) {
          // The resourceVersion is gone from the watch cache: list again, as an informer does.
          log(`${collection.path}: watch expired (410 Gone); listing again`);
          collection.resourceVersion = undefined;
          continue;
        }
        failures++;
        const delay = Math.min(maxBackoffMs, backoffMs * 2 ** (failures - 1));
        log(`${collection.path}: ${messageOf(error)}; retrying in ${delay} ms`);
        if (collection.resourceVersion === undefined && state.listFailure === undefined) {
          state.listFailure = listError(collection, error);
          markDirty('');
          schedule();
        }
        await sleep(delay, signal);
      }
    }
  };

  /**
   * Every `resyncMs`: a fresh clock, and every collection listed again; ending the current watches (they resolve as
   * a server timeout does) sends each loop back to its list.
   */
  let resync = new AbortController();
  const resyncLoop = async () => {
    while (!signal.aborted) {
      await sleep(resyncMs, signal);
      if (signal.aborted) break;
      log('resync: listing every collection again');
      validator = newValidator(clock());
      for (const state of states) state.collection.resourceVersion = undefined;
      const ended = resync;
      resync = new AbortController();
      ended.abort();
    }
  };

  await Promise.all([...states.map(watchLoop), resyncLoop()]);
  // Stopped: write what changed since the last write, so a restart begins from reports that were current.
  if (timer !== undefined) clearTimeout(timer);
  await writing;
  await flush();
}
