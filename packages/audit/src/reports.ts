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
}

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
    timeoutMs?: number;
  }): Promise<{ status: number; body: T }>;
}

export const DEFAULT_MAX_REPORT_BYTES = 1024 * 1024;
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

export async function writeReports(
  client: ReportClient,
  run: ValidationRun,
  options: WriteReportsOptions,
): Promise<WriteReportsResult> {
  const kinds = KINDS[options.api];
  const fieldManager = options.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const maxBytes = options.maxReportBytes ?? DEFAULT_MAX_REPORT_BYTES;
  const scope = options.scope === undefined ? undefined : new Set(options.scope);
  const inScope = (namespace: string | undefined) => scope === undefined || scope.has(namespace ?? '');

  const built: Report[] = options.api === 'openreports' ? buildOpenReports(run) : buildPolicyReports(run);
  const desired = built
    .filter((report) => inScope(report.metadata.namespace))
    .flatMap((report) => splitReport(report, maxBytes));

  const live = new Map<string, LiveReport>();
  for (const report of await listOurReports(client, kinds, scope)) {
    if (inScope(report.metadata.namespace))
      live.set(keyOf(report.metadata.namespace, report.metadata.name), report);
  }

  const liveByNamespace = new Map<string, LiveReport[]>();
  for (const report of live.values()) {
    const namespace = report.metadata.namespace ?? '';
    liveByNamespace.set(namespace, [...(liveByNamespace.get(namespace) ?? []), report]);
  }

  const result: WriteReportsResult = { reports: desired.length, applied: 0, unchanged: 0, deleted: 0 };
  const failures: string[] = [];
  for (const wanted of desired) {
    const { name, namespace } = wanted.metadata;
    const key = keyOf(namespace, name);
    const previous = live.get(key);
    live.delete(key);
    // Timestamps come from every live part of the namespace: a result may have moved to another part.
    const report = keepTimestamps(wanted, liveByNamespace.get(namespace ?? '') ?? []);
    if (previous !== undefined && isUnchanged(report, previous)) {
      result.unchanged++;
      continue;
    }
    const kind = namespace === undefined ? kinds.cluster : kinds.namespaced;
    try {
      await client.request({
        method: 'PATCH',
        path: `${kind.collection(namespace)}/${encodeURIComponent(name)}`,
        query: { fieldManager, force: 'true', fieldValidation: 'Strict' },
        // JSON is YAML: the apply patch is the report as JSON.
        contentType: 'application/apply-patch+yaml',
        body: report,
      });
      result.applied++;
    } catch (error) {
      if (statusOf(error) === 404 && (await crdMissing(client, kind)))
        throw new ReportCrdMissingError(kind.crd, kind.kind);
      failures.push(
        `${kind.kind} ${key.replace(/^\//, '')} (${jsonBytes(report)} bytes): ${messageOf(error)}`,
      );
    }
  }
  // What is left of our live reports has no results now (namespace clean, resources deleted, or a surplus part).
  for (const [key, stale] of live) {
    const { name, namespace } = stale.metadata;
    const kind = namespace === undefined ? kinds.cluster : kinds.namespaced;
    try {
      await client.request({
        method: 'DELETE',
        path: `${kind.collection(namespace)}/${encodeURIComponent(name)}`,
      });
      result.deleted++;
    } catch (error) {
      // Gone already (deleted with its namespace, or by someone else): what we wanted.
      if (statusOf(error) === 404) result.deleted++;
      else failures.push(`delete ${kind.kind} ${key.replace(/^\//, '')}: ${messageOf(error)}`);
    }
  }
  if (failures.length > 0) throw new ReportWriteError(failures);
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

/** Our reports (by label) of both kinds: across the cluster, or only in the namespaces of `scope`. */
async function listOurReports(
  client: ReportClient,
  kinds: { namespaced: ReportKind; cluster: ReportKind },
  scope: ReadonlySet<string> | undefined,
): Promise<LiveReport[]> {
  const collections: { kind: ReportKind; path: string }[] = [];
  if (scope === undefined) {
    collections.push({ kind: kinds.namespaced, path: kinds.namespaced.collection(undefined) });
    collections.push({ kind: kinds.cluster, path: kinds.cluster.collection(undefined) });
  } else {
    for (const namespace of [...scope].sort()) {
      const kind = namespace === '' ? kinds.cluster : kinds.namespaced;
      collections.push({ kind, path: kind.collection(namespace) });
    }
  }
  const reports: LiveReport[] = [];
  for (const { kind, path } of collections) {
    let token: string | undefined;
    do {
      const query: Record<string, string> = { labelSelector: MANAGED_BY_SELECTOR, limit: String(LIST_PAGE) };
      if (token !== undefined) query.continue = token;
      let body: { items?: LiveReport[]; metadata?: { continue?: string } };
      try {
        ({ body } = await client.request<typeof body>({ method: 'GET', path, query }));
      } catch (error) {
        if (statusOf(error) === 404 && (await crdMissing(client, kind)))
          throw new ReportCrdMissingError(kind.crd, kind.kind);
        throw new Error(`cannot list ${kind.kind} reports (${path}): ${messageOf(error)}`);
      }
      reports.push(...(body.items ?? []));
      token = body.metadata?.continue || undefined;
    } while (token !== undefined);
  }
  return reports;
}
