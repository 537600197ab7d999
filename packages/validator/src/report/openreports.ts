import {
  type BuildReportsOptions,
  buildReportsWith,
  type PolicyReport,
  type PolicyReportResult,
  type ReportHead,
  reportChunksWith,
  reportMetadata,
} from './policyreport.js';
import type { ResultSummary, ValidationRun } from './run.js';

/**
 * OpenReports (openreports.io/v1alpha1, the successor of wgpolicyk8s.io that Kyverno 1.15+ writes): the same
 * reports as `buildPolicyReports`, grouping, summary and results alike. Its CRDs differ from wgpolicyk8s.io's
 * v1alpha2 only by the kinds and a top-level `source` (and an optional `configuration` Palisade does not set).
 */

export const OPEN_REPORTS_API_VERSION = 'openreports.io/v1alpha1';

export interface OpenReport {
  apiVersion: typeof OPEN_REPORTS_API_VERSION;
  kind: 'Report' | 'ClusterReport';
  metadata: PolicyReport['metadata'];
  /** The tool that wrote the report, as each of its results says. */
  source: 'palisade';
  summary: ResultSummary;
  results: PolicyReportResult[];
}

const openReportHead: ReportHead<OpenReport> = (namespace, summary) => ({
  apiVersion: OPEN_REPORTS_API_VERSION,
  kind: namespace === '' ? 'ClusterReport' : 'Report',
  metadata: reportMetadata(namespace),
  source: 'palisade',
  summary,
});

export function buildOpenReports(run: ValidationRun, options: BuildReportsOptions = {}): OpenReport[] {
  return buildReportsWith(run, openReportHead, options);
}

/** The OpenReports as YAML in pieces, as `policyReportChunks` writes PolicyReports. */
export function openReportChunks(run: ValidationRun): Generator<string> {
  return reportChunksWith(run, openReportHead);
}

export function formatOpenReports(run: ValidationRun): string {
  return [...openReportChunks(run)].join('');
}
