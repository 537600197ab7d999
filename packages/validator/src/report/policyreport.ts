import type { Severity } from '@palisade/core';
import { stringify } from 'yaml';
import type { ResultStatus } from '../engine.js';
import type { InputError } from '../manifest-resources.js';
import {
  type CheckedResource,
  type CheckedResult,
  describeInputError,
  emptySummary,
  type ResultSummary,
  type ValidationRun,
} from './run.js';

/**
 * wgpolicyk8s.io/v1alpha2 PolicyReports: one PolicyReport per namespace, and a ClusterPolicyReport for resources
 * without a namespace and for input errors (results `error` of the policy `input`), ready for `kubectl apply` or any PolicyReport consumer (Policy Reporter, dashboards).
 */

export const POLICY_REPORT_API_VERSION = 'wgpolicyk8s.io/v1alpha2';

/** The severities the PolicyReport CRD accepts. */
export type PolicyReportSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';
const SEVERITY: Record<Severity, PolicyReportSeverity> = {
  critical: 'critical',
  high: 'high',
  medium: 'medium',
  low: 'low',
};

export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
  /** Set for a resource read from a cluster: which object of that name it was. */
  uid?: string;
}

export interface PolicyReportResult {
  source: 'palisade';
  policy: string;
  rule: string;
  category: string;
  /** Absent for input errors, which are no policy's finding. */
  severity?: PolicyReportSeverity;
  timestamp: { seconds: number; nanos: number };
  result: ResultStatus;
  scored: true;
  message: string;
  /** Absent for input errors: the resource could not be read. */
  resources?: ObjectReference[];
  /** map[string]string in the CRD: every value is a string. */
  properties: Record<string, string>;
}

/** The `policy` (and `rule`) of the results that report input errors, as JUnit's `input` suite. */
export const INPUT_ERROR_POLICY = 'input';

export interface PolicyReport {
  apiVersion: typeof POLICY_REPORT_API_VERSION;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  summary: ResultSummary;
  results: PolicyReportResult[];
}

const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'palisade' };

function objectReference(resource: CheckedResource): ObjectReference {
  return {
    apiVersion: resource.apiVersion,
    kind: resource.kind,
    ...(resource.name === undefined ? {} : { name: resource.name }),
    ...(resource.namespace === undefined ? {} : { namespace: resource.namespace }),
    ...(resource.source === 'cluster' ? { uid: resource.uid } : {}),
  };
}

function properties(resource: CheckedResource, result: CheckedResult): Record<string, string> {
  // A cluster resource has no file or line: its uid in `resources` says which object it was.
  const out: Record<string, string> =
    resource.source === 'cluster'
      ? {}
      : { file: resource.file, line: String(result.violations[0]?.line ?? resource.line) };
  if (result.pssCheck !== undefined) out.pssCheck = result.pssCheck;
  if (result.exception !== undefined) out.exception = result.exception;
  return out;
}

function reportResult(
  resource: CheckedResource,
  result: CheckedResult,
  timestamp: PolicyReportResult['timestamp'],
): PolicyReportResult {
  return {
    source: 'palisade',
    policy: result.policy.id,
    rule: result.policy.id,
    category: result.policy.category,
    severity: SEVERITY[result.policy.severity],
    timestamp: { ...timestamp },
    result: result.status,
    scored: true,
    message: result.message,
    resources: [objectReference(resource)],
    properties: properties(resource, result),
  };
}

/**
 * An input error as a result: `error`, in the cluster report (its resource, hence its namespace, is unknown), with
 * where it is in `properties` (file, document, line, column) as for the other results.
 */
function inputErrorResult(error: InputError, timestamp: PolicyReportResult['timestamp']): PolicyReportResult {
  const properties: Record<string, string> =
    error.source === 'cluster' ? { collection: error.file } : { file: error.file };
  if (error.document !== undefined) properties.document = String(error.document);
  if (error.line !== undefined) properties.line = String(error.line);
  if (error.column !== undefined) properties.column = String(error.column);
  return {
    source: 'palisade',
    policy: INPUT_ERROR_POLICY,
    rule: INPUT_ERROR_POLICY,
    category: 'Input',
    timestamp: { ...timestamp },
    result: 'error',
    scored: true,
    message: `${describeInputError(error)}: ${error.message}`,
    properties,
  };
}

/**
 * A report without its results; namespace '' is the cluster report. The report APIs that share this shape
 * (wgpolicyk8s.io PolicyReports, OpenReports) differ only here: apiVersion, kinds and top-level fields.
 */
export type ReportHead<R> = (namespace: string, summary: ResultSummary) => Omit<R, 'results'>;

/** The name of the report of a namespace ('' = the cluster report), in every report API. */
export function reportName(namespace: string): string {
  return namespace === '' ? 'palisade-cluster' : `palisade-${namespace}`;
}

/** The labels of every report Palisade writes. */
export function reportMetadata(namespace: string): PolicyReport['metadata'] {
  return namespace === ''
    ? { name: reportName(namespace), labels: { ...MANAGED_BY } }
    : { name: reportName(namespace), namespace, labels: { ...MANAGED_BY } };
}

const policyReportHead: ReportHead<PolicyReport> = (namespace, summary) => ({
  apiVersion: POLICY_REPORT_API_VERSION,
  kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
  metadata: reportMetadata(namespace),
  summary,
});

interface NamespaceGroup {
  namespace: string;
  resources: CheckedResource[];
  summary: ResultSummary;
}

/** The resources with results by namespace, sorted; '' is the cluster report (no namespace, and input errors). */
function groupByNamespace(run: ValidationRun): NamespaceGroup[] {
  const byNamespace = new Map<string, NamespaceGroup>();
  const groupOf = (namespace: string) => {
    let group = byNamespace.get(namespace);
    if (!group) {
      group = { namespace, resources: [], summary: emptySummary() };
      byNamespace.set(namespace, group);
    }
    return group;
  };
  for (const resource of run.resources) {
    if (resource.results.length === 0) continue;
    const group = groupOf(resource.namespace ?? '');
    group.resources.push(resource);
    for (const result of resource.results) group.summary[result.status]++;
  }
  if (run.errors.length > 0) groupOf('').summary.error += run.errors.length;
  return [...byNamespace.keys()].sort().map((namespace) => byNamespace.get(namespace) as NamespaceGroup);
}

export interface BuildReportsOptions {
  /**
   * `violations`: every result but the passes is listed; the summary still counts every result, passes included.
   * @default 'all'
   */
  results?: 'all' | 'violations';
}

/** The reports of a run in the report API whose heads `head` writes. */
export function buildReportsWith<R>(
  run: ValidationRun,
  head: ReportHead<R>,
  options: BuildReportsOptions = {},
): (Omit<R, 'results'> & { results: PolicyReportResult[] })[] {
  const timestamp = resultTimestamp(run);
  const listPasses = options.results !== 'violations';
  return groupByNamespace(run).map((group) => {
    const results: PolicyReportResult[] = [];
    for (const resource of group.resources)
      for (const result of resource.results)
        if (listPasses || result.status !== 'pass') results.push(reportResult(resource, result, timestamp));
    if (group.namespace === '')
      for (const error of run.errors) results.push(inputErrorResult(error, timestamp));
    return { ...head(group.namespace, group.summary), results };
  });
}

export function buildPolicyReports(run: ValidationRun, options: BuildReportsOptions = {}): PolicyReport[] {
  return buildReportsWith(run, policyReportHead, options);
}

const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

/**
 * Strings as `yaml` writes them as a map value, each asked of `yaml` once per run (report strings repeat: policy ids,
 * messages, files, line numbers). Undefined for a string `yaml` writes on several lines (a block scalar), whose
 * indentation depends on where it sits.
 */
class ScalarCache {
  readonly #written = new Map<string, string | undefined>();

  get(value: string): string | undefined {
    if (this.#written.has(value)) return this.#written.get(value);
    const text = stringify({ k: value }, YAML_OPTIONS);
    const single = text.indexOf('\n') === text.length - 1 ? text.slice(3, -1) : undefined;
    this.#written.set(value, single);
    return single;
  }
}

/**
 * One result as `yaml` writes it among a report's results, without a YAML document per result: the shape is fixed,
 * so only the scalars need `yaml`'s judgement (quoting), which `ScalarCache` gives. A result with a multi-line
 * string is left to `yaml` whole.
 */
function writeResult(result: PolicyReportResult, scalars: ScalarCache): string {
  const s = (value: string) => {
    const written = scalars.get(value);
    if (written === undefined) throw new MultiLineScalar();
    return written;
  };
  try {
    let out = `  - source: ${s(result.source)}\n    policy: ${s(result.policy)}\n    rule: ${s(result.rule)}\n    category: ${s(result.category)}\n`;
    if (result.severity !== undefined) out += `    severity: ${s(result.severity)}\n`;
    out += `    timestamp:\n      seconds: ${result.timestamp.seconds}\n      nanos: ${result.timestamp.nanos}\n`;
    out += `    result: ${s(result.result)}\n    scored: true\n    message: ${s(result.message)}\n`;
    if (result.resources !== undefined) {
      out += result.resources.length === 0 ? '    resources: []\n' : '    resources:\n';
      for (const reference of result.resources) {
        out += `      - apiVersion: ${s(reference.apiVersion)}\n        kind: ${s(reference.kind)}\n`;
        if (reference.name !== undefined) out += `        name: ${s(reference.name)}\n`;
        if (reference.namespace !== undefined) out += `        namespace: ${s(reference.namespace)}\n`;
        if (reference.uid !== undefined) out += `        uid: ${s(reference.uid)}\n`;
      }
    }
    const keys = Object.keys(result.properties);
    out += keys.length === 0 ? '    properties: {}\n' : '    properties:\n';
    for (const key of keys) out += `      ${s(key)}: ${s(result.properties[key] as string)}\n`;
    return out;
  } catch (error) {
    if (!(error instanceof MultiLineScalar)) throw error;
    return stringify({ results: [result] }, YAML_OPTIONS).slice('results:\n'.length);
  }
}

class MultiLineScalar extends Error {}

/** The timestamp every result carries: the run's, in seconds and nanoseconds. */
function resultTimestamp(run: ValidationRun): PolicyReportResult['timestamp'] {
  const millis = run.metadata.timestamp.getTime();
  return { seconds: Math.floor(millis / 1000), nanos: (((millis % 1000) + 1000) % 1000) * 1_000_000 };
}

/**
 * The reports in pieces, one result at a time: the bytes of `formatPolicyReports` as `yaml` writes the
 * reports of `buildPolicyReports`, without building them (a report of 100k resources is hundreds of thousands of
 * objects, and `yaml` builds a node for each of their values).
 */
export function* reportChunksWith<R>(run: ValidationRun, head: ReportHead<R>): Generator<string> {
  const timestamp = resultTimestamp(run);
  const scalars = new ScalarCache();
  for (const group of groupByNamespace(run)) {
    const text = stringify({ ...head(group.namespace, group.summary), results: [] }, YAML_OPTIONS);
    // Every report has a result (it exists because of one), so `results: []` always becomes a list.
    yield `---\n${text.slice(0, -'[]\n'.length).trimEnd()}\n`;
    for (const resource of group.resources) {
      for (const result of resource.results)
        yield writeResult(reportResult(resource, result, timestamp), scalars);
    }
    if (group.namespace === '') {
      for (const error of run.errors) yield writeResult(inputErrorResult(error, timestamp), scalars);
    }
  }
}

export function policyReportChunks(run: ValidationRun): Generator<string> {
  return reportChunksWith(run, policyReportHead);
}

export function formatPolicyReports(run: ValidationRun): string {
  return [...policyReportChunks(run)].join('');
}
