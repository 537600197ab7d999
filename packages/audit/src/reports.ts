import {
  buildOpenReports,
  buildPolicyReports,
  emptySummary,
  type PolicyReportResult,
  type ResultSummary,
  type ValidationRun,
} from '@palisade/validator';

/**
 * Writes a run's reports into the cluster by server-side apply: one report per namespace and one for the cluster
 * (cluster-scoped resources, input errors), split when too large, skipped when the live report already says the
 * same, and our reports that no longer have results deleted.
 */

export type ReportApi = 'wgpolicyk8s' | 'openreports';

export interface WriteReportsOptions {
  api: ReportApi;
  /** default 'palisade-audit' */
  fieldManager?: string;
  /** Namespaces ('' = the cluster report) whose reports this write owns; default: all. Others are never touched. */
  scope?: readonly string[];
  /**
   * Largest report, as JSON bytes, before a namespace's results are split over `palisade-<ns>`, `palisade-<ns>-2`, ….
   * Default 1 MiB: etcd refuses requests over 1.5 MiB by default (--max-request-bytes), and the stored object adds
   * metadata and managedFields to what is sent.
   */
  maxReportBytes?: number;
  /**
   * Which results the reports list. `all`: every result, as `palisade validate --format policyreport` prints them.
   * `violations`: every result but `pass` (fail, warn, error, skip), the passes still counted in the summary of a
   * namespace's first report: at scale the passes are almost all of a report's bytes (97% of the results of the
   * bench's corpus), and the API server's cost of a write grows with its bytes (docs/performance.md).
   * @default 'all'
   */
  results?: ReportResults;
  /** Namespaces written at once; each holds only its own reports in memory. @default 4 */
  concurrency?: number;
}

export type ReportResults = 'all' | 'violations';

export interface WriteReportsResult {
  /** Reports the run has (parts counted), in scope. */
  reports: number;
  applied: number;
  /** Reports whose live copy already held the same results, not written. */
  unchanged: number;
  deleted: number;
}

/** What writeReports needs of KubeClient: `request`, which throws for a non-2xx status (KubeApiError). */
export interface ReportClient {
  request<T = unknown>(req: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    path: string;
    query?: Record<string, string>;
    body?: unknown;
    contentType?: string;
    headers?: Record<string, string>;
    timeoutMs?: number;
  }): Promise<{ status: number; body: T }>;
}

export const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024;
export const DEFAULT_REPORT_CONCURRENCY = 4;
export const DEFAULT_FIELD_MANAGER = 'palisade-audit';
const MANAGED_BY_SELECTOR = 'app.kubernetes.io/managed-by=palisade';

/** The report kinds of an API, with the CRD each needs. */
interface ReportKind {
  kind: string;
  crd: string;
  /** /apis/group/version/<plural> */
  collection: (namespace: string | undefined) => string;
}

function reportKind(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
): ReportKind {
  return {
    kind,
    crd: `${plural}.${group}`,
    collection: (namespace) =>
      namespaced && namespace !== undefined
        ? `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}`
        : `/apis/${group}/${version}/${plural}`,
  };
}

const KINDS: Record<ReportApi, { namespaced: ReportKind; cluster: ReportKind }> = {
  wgpolicyk8s: {
    namespaced: reportKind('wgpolicyk8s.io', 'v1alpha2', 'PolicyReport', 'policyreports', true),
    cluster: reportKind('wgpolicyk8s.io', 'v1alpha2', 'ClusterPolicyReport', 'clusterpolicyreports', false),
  },
  openreports: {
    namespaced: reportKind('openreports.io', 'v1alpha1', 'Report', 'reports', true),
    cluster: reportKind('openreports.io', 'v1alpha1', 'ClusterReport', 'clusterreports', false),
  },
};

export class ReportCrdMissingError extends Error {
  readonly crd: string;
  constructor(crd: string, kind: string) {
    super(
      `the report CRD ${crd} is not installed in the cluster (no ${kind} API); install it to write reports`,
    );
    this.name = 'ReportCrdMissingError';
    this.crd = crd;
  }
}

/** Reports that could not be written or deleted; every other report was. */
export class ReportWriteError extends Error {
  readonly failures: readonly string[];
  constructor(failures: readonly string[]) {
    super(`cannot write ${failures.length} report(s):\n  ${failures.join('\n  ')}`);
    this.name = 'ReportWriteError';
    this.failures = failures;
  }
}

interface Report {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: ResultSummary;
  results: PolicyReportResult[];
}

interface LiveReport {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; resourceVersion?: string };
  results?: PolicyReportResult[];
  [field: string]: unknown;
}

/** The API's status of a failed request (KubeApiError's `status`), undefined for other errors. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** The largest a result's timestamp can be as JSON: what a result's size allows for it. */
const TIMESTAMP_BYTES = jsonBytes({ timestamp: { seconds: 99_999_999_999, nanos: 999_999_999 } });

/**
 * A result's size as JSON with its timestamp at the largest it can be: parts then depend on the results alone, not
 * on the clock, so a later run with the same results cuts the same parts (and writes nothing).
 */
const resultBytes = (result: PolicyReportResult) =>
  jsonBytes({ ...result, timestamp: undefined }) + TIMESTAMP_BYTES;

/**
 * A report cut into parts of at most `maxBytes` as JSON (a result larger than that alone gets a part of its own),
 * named `<name>`, `<name>-2`, …; each part's summary counts its own results. Where it cuts depends on the results
 * only, never on their timestamps.
 */
export function splitReport(report: Report, maxBytes: number): Report[] {
  const headBytes = jsonBytes({ ...report, results: [] }) + 8;
  const total = report.results.reduce((sum, result) => sum + resultBytes(result) + 1, headBytes);
  if (total <= maxBytes) return [report];
  // A part's size is its head's plus each result's and a comma; the summary's counts only shrink, so the whole
  // report's head bounds every part's (a longer `-N` name suffix is allowed for).
  const groups: PolicyReportResult[][] = [];
  let current: PolicyReportResult[] = [];
  let bytes = headBytes;
  for (const result of report.results) {
    const size = resultBytes(result) + 1;
    if (current.length > 0 && bytes + size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = headBytes;
    }
    current.push(result);
    bytes += size;
  }
  groups.push(current);
  return groups.map((results, i) => {
    const summary = emptySummary();
    for (const result of results) summary[result.result]++;
    const name = i === 0 ? report.metadata.name : `${report.metadata.name}-${i + 1}`;
    return { ...report, metadata: { ...report.metadata, name }, summary, results };
  });
}

/** JSON with object keys sorted: the API server returns custom resources with their keys reordered. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object)
      .filter((k) => object[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(object[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const withoutTimestamp = (result: PolicyReportResult) => canonical({ ...result, timestamp: undefined });

/** The report with each result that a live report already holds (timestamp aside) keeping the live timestamp. */
function keepTimestamps(report: Report, live: readonly LiveReport[]): Report {
  const previous = new Map<string, PolicyReportResult['timestamp'][]>();
  for (const result of live.flatMap((r) => r.results ?? [])) {
    const key = withoutTimestamp(result);
    const list = previous.get(key);
    if (list) list.push(result.timestamp);
    else previous.set(key, [result.timestamp]);
  }
  const results = report.results.map((result) => {
    const timestamp = previous.get(withoutTimestamp(result))?.shift();
    return timestamp === undefined ? result : { ...result, timestamp };
  });
  return { ...report, results };
}

/** Whether the live report already says what the report would write (every field we apply, labels included). */
function isUnchanged(report: Report, live: LiveReport): boolean {
  for (const [field, value] of Object.entries(report) as [string, unknown][]) {
    if (field === 'metadata') continue;
    if (canonical(value) !== canonical(live[field])) return false;
  }
  const labels = live.metadata.labels ?? {};
  return Object.entries(report.metadata.labels).every(([k, v]) => labels[k] === v);
}

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

/** A run's resources and input errors by the report they belong in: namespace, '' for the cluster report. */
function runByNamespace(run: ValidationRun): Map<string, ValidationRun> {
  const parts = new Map<string, ValidationRun>();
  const partOf = (namespace: string) => {
    let part = parts.get(namespace);
    if (part === undefined) {
      part = { metadata: run.metadata, resources: [], errors: [] };
      parts.set(namespace, part);
    }
    return part;
  };
  for (const resource of run.resources)
    if (resource.results.length > 0) partOf(resource.namespace ?? '').resources.push(resource);
  if (run.errors.length > 0) partOf('').errors.push(...run.errors);
  return parts;
}

export async function writeReports(
  client: ReportClient,
  run: ValidationRun,
  options: WriteReportsOptions,
): Promise<WriteReportsResult> {
  const kinds = KINDS[options.api];
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const maxBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  const selection = options.results ?? 'all';
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_REPORT_CONCURRENCY);
  const scope = options.scope === undefined ? undefined : new Set(options.scope);
  const inScope = (namespace: string) => scope === undefined || scope.has(namespace);

  const parts = runByNamespace(run);
  // Which namespaces have reports of ours now, from metadata only: memory holds a few namespaces' reports at a time.
  const withReports = await namespacesWithOurReports(client, kinds, scope);
  const namespaces = [...new Set([...parts.keys(), ...withReports])].filter(inScope).sort();

  const result: WriteReportsResult = { reports: 0, applied: 0, unchanged: 0, deleted: 0 };
  const failures: string[] = [];

  const writeNamespace = async (namespace: string) => {
    const kind = namespace === '' ? kinds.cluster : kinds.namespaced;
    const where = namespace === '' ? undefined : namespace;
    const part = parts.get(namespace);
    // In `violations`, the passes are counted in the built summary but not built: most of a big run's results.
    const build = { results: selection };
    const built: Report[] =
      part === undefined
        ? []
        : options.api === 'openreports'
          ? buildOpenReports(part, build)
          : buildPolicyReports(part, build);
    const desired: Report[] = [];
    for (const report of built) {
      if (selection === 'all') {
        desired.push(...splitReport(report, maxBytes));
        continue;
      }
      // No pass is listed: each part counts what it lists, and the namespace's first part counts the passes too.
      const split = splitReport({ ...report, summary: { ...report.summary, pass: 0 } }, maxBytes);
      if (split[0] !== undefined) split[0].summary.pass = report.summary.pass;
      desired.push(...split);
    }
    result.reports += desired.length;

    const live = new Map<string, LiveReport>();
    if (withReports.has(namespace))
      for (const report of await listOurReports(client, kind, kind.collection(where)))
        live.set(report.metadata.name, report);
    // Timestamps come from every live part of the namespace: a result may have moved to another part.
    const liveParts = [...live.values()];

    for (const wanted of desired) {
      const { name } = wanted.metadata;
      const previous = live.get(name);
      live.delete(name);
      const report = keepTimestamps(wanted, liveParts);
      if (previous !== undefined && isUnchanged(report, previous)) {
        result.unchanged++;
        continue;
      }
      try {
        await client.request({
          method: 'PATCH',
          path: `${kind.collection(where)}/${encodeURIComponent(name)}`,
          query: { fieldManager, force: 'true', fieldValidation: 'Strict' },
          // JSON is YAML: the apply patch is the report as JSON.
          contentType: 'application/apply-patch+yaml',
          body: report,
          timeoutMs: WRITE_TIMEOUT_MS,
        });
        result.applied++;
      } catch (error) {
        if (statusOf(error) === 404 && (await crdMissing(client, kind)))
          throw new ReportCrdMissingError(kind.crd, kind.kind);
        failures.push(
          `${kind.kind} ${keyOf(where, name).replace(/^\//, '')} (${jsonBytes(report)} bytes): ${messageOf(error)}`,
        );
      }
    }
    // What is left of our live reports has no results now (namespace clean, resources deleted, or a surplus part).
    for (const name of live.keys()) {
      try {
        await client.request({
          method: 'DELETE',
          path: `${kind.collection(where)}/${encodeURIComponent(name)}`,
        });
        result.deleted++;
      } catch (error) {
        // Gone already (deleted with its namespace, or by someone else): what we wanted.
        if (statusOf(error) === 404) result.deleted++;
        else
          failures.push(`delete ${kind.kind} ${keyOf(where, name).replace(/^\//, '')}: ${messageOf(error)}`);
      }
    }
  };

  // A missing CRD stops the pool (every namespace would fail the same way), once the writes in flight are done.
  let next = 0;
  let fatal: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, namespaces.length) }, async () => {
      while (fatal === undefined && next < namespaces.length) {
        try {
          await writeNamespace(namespaces[next++] as string);
        } catch (error) {
          fatal ??= { error };
        }
      }
    }),
  );
  if (fatal !== undefined) throw fatal.error;
  if (failures.length > 0) throw new ReportWriteError(failures.sort());
  return result;
}

/** Whether the CRD's collection is not served (a 404 on an object can also be its namespace missing). */
async function crdMissing(client: ReportClient, kind: ReportKind): Promise<boolean> {
  try {
    await client.request({ method: 'GET', path: kind.collection(undefined), query: { limit: '1' } });
    return false;
  } catch (error) {
    return statusOf(error) === 404;
  }
}

const LIST_PAGE = 100;
/** An apply of a 1 MiB report takes the API server about a second (docs/performance.md); under load, more. */
const WRITE_TIMEOUT_MS = 120_000;

type ListBody<T> = { items?: T[]; metadata?: { continue?: string } };

/** Every page of a list of our reports (by label), with the CRD-missing check on a 404. */
async function listPages<T>(
  client: ReportClient,
  kind: ReportKind,
  path: string,
  headers: Record<string, string> | undefined,
  onItems: (items: T[]) => void,
): Promise<void> {
  let token: string | undefined;
  do {
    const query: Record<string, string> = { labelSelector: MANAGED_BY_SELECTOR, limit: String(LIST_PAGE) };
    if (token !== undefined) query.continue = token;
    let body: ListBody<T>;
    try {
      ({ body } = await client.request<ListBody<T>>({
        method: 'GET',
        path,
        query,
        ...(headers === undefined ? {} : { headers }),
      }));
    } catch (error) {
      if (statusOf(error) === 404 && (await crdMissing(client, kind)))
        throw new ReportCrdMissingError(kind.crd, kind.kind);
      throw new Error(`cannot list ${kind.kind} reports (${path}): ${messageOf(error)}`);
    }
    onItems(body.items ?? []);
    token = body.metadata?.continue || undefined;
  } while (token !== undefined);
}

/** Our reports in one collection (a namespace's, or the cluster's), whole. */
async function listOurReports(client: ReportClient, kind: ReportKind, path: string): Promise<LiveReport[]> {
  const reports: LiveReport[] = [];
  await listPages<LiveReport>(client, kind, path, undefined, (items) => reports.push(...items));
  return reports;
}

/**
 * The namespaces ('' = the cluster's) that hold reports of ours: across the cluster, or among those of `scope`.
 * Metadata only (PartialObjectMetadataList, which the API server serves for custom resources as for any kind): the
 * results stay in the cluster until their namespace is written.
 */
async function namespacesWithOurReports(
  client: ReportClient,
  kinds: { namespaced: ReportKind; cluster: ReportKind },
  scope: ReadonlySet<string> | undefined,
): Promise<Set<string>> {
  const collections: { kind: ReportKind; path: string }[] = [];
  if (scope === undefined) {
    collections.push({ kind: kinds.namespaced, path: kinds.namespaced.collection(undefined) });
    collections.push({ kind: kinds.cluster, path: kinds.cluster.collection(undefined) });
  } else {
    for (const namespace of [...scope].sort()) {
      const kind = namespace === '' ? kinds.cluster : kinds.namespaced;
      collections.push({ kind, path: kind.collection(namespace === '' ? undefined : namespace) });
    }
  }
  const namespaces = new Set<string>();
  for (const { kind, path } of collections)
    await listPages<{ metadata: { namespace?: string } }>(
      client,
      kind,
      path,
      { accept: METADATA_ONLY },
      (items) => {
        for (const { metadata } of items) namespaces.add(metadata.namespace ?? '');
      },
    );
  return namespaces;
}

const METADATA_ONLY = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
