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
  };
}

function properties(resource: CheckedResource, result: CheckedResult): Record<string, string> {
  const out: Record<string, string> = {
    file: resource.file,
    line: String(result.violations[0]?.line ?? resource.line),
  };
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
  const properties: Record<string, string> = { file: error.file };
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

export function buildPolicyReports(run: ValidationRun): PolicyReport[] {
  const millis = run.metadata.timestamp.getTime();
  const timestamp = {
    seconds: Math.floor(millis / 1000),
    nanos: (((millis % 1000) + 1000) % 1000) * 1_000_000,
  };
  // Key '' is the cluster report: resources without a namespace, and input errors.
  const byNamespace = new Map<string, PolicyReport>();
  const reportFor = (namespace: string): PolicyReport => {
    let report = byNamespace.get(namespace);
    if (!report) {
      report = {
        apiVersion: POLICY_REPORT_API_VERSION,
        kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
        metadata:
          namespace === ''
            ? { name: 'palisade-cluster', labels: { ...MANAGED_BY } }
            : { name: `palisade-${namespace}`, namespace, labels: { ...MANAGED_BY } },
        summary: emptySummary(),
        results: [],
      };
      byNamespace.set(namespace, report);
    }
    return report;
  };
  for (const resource of run.resources) {
    if (resource.results.length === 0) continue;
    const report = reportFor(resource.namespace ?? '');
    for (const result of resource.results) {
      report.summary[result.status]++;
      report.results.push(reportResult(resource, result, timestamp));
    }
  }
  for (const error of run.errors) {
    const report = reportFor('');
    report.summary.error++;
    report.results.push(inputErrorResult(error, timestamp));
  }
  return [...byNamespace.keys()].sort().map((namespace) => byNamespace.get(namespace) as PolicyReport);
}

/** The PolicyReports in pieces, one YAML document each. */
export function* policyReportChunks(run: ValidationRun): Generator<string> {
  for (const report of buildPolicyReports(run)) {
    yield `---\n${stringify(report, { lineWidth: 0, aliasDuplicateObjects: false })}`;
  }
}

export function formatPolicyReports(run: ValidationRun): string {
  return [...policyReportChunks(run)].join('');
}
