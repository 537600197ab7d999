import type { PssLevel } from '@palisade/core';
import { type App, Chart } from 'cdk8s';
import { findPalisadeSettings } from './settings.js';
import {
  type ComplianceOptions,
  type ComplianceReport,
  checkManifests,
  formatFailures,
  isExceptionDocument,
  type SourcedManifest,
} from './validate.js';

/** Options of `expectCompliant` and `checkCompliance`. Unset parameters come from the chart's Palisade settings. */
export interface ExpectCompliantOptions extends ComplianceOptions {
  /** @default 'restricted' */
  readonly profile?: PssLevel;
}

/** A cdk8s chart or a whole app. */
export type Synthesizable = Chart | App;

function chartsOf(target: Synthesizable): Chart[] {
  return Chart.isChart(target) ? [target] : target.charts;
}

/**
 * Synthesizes a chart (as `Testing.synth` does) or every chart of an app, and validates the output with the real
 * Palisade validator: the restricted profile and every hardening policy by default, honouring the PolicyException
 * documents the constructs emitted. Parameters not given (allowed registries, runtime classes, PSS version) come
 * from each chart's Palisade settings.
 */
export function checkCompliance(
  target: Synthesizable,
  options: ExpectCompliantOptions = {},
): ComplianceReport {
  const charts = chartsOf(target);
  const synthesized = charts.map((chart) => ({
    chart,
    manifests: (chart.toJson() as unknown[]).map(
      (object): SourcedManifest => ({ object, source: `chart ${chart.node.path}` }),
    ),
  }));
  // An exception emitted in one chart applies wherever its match holds, as it does for the CLI and in a cluster.
  const emitted = synthesized.flatMap((s) => s.manifests.filter((m) => isExceptionDocument(m.object)));
  const reports = synthesized.map(({ chart, manifests }) => {
    const settings = findPalisadeSettings(chart);
    const resources = manifests.filter((m) => !isExceptionDocument(m.object));
    return checkManifests([...emitted, ...resources], {
      ...options,
      allowedRegistries: options.allowedRegistries ?? settings?.allowedRegistries,
      runtimeClasses: options.runtimeClasses ?? settings?.allowedRuntimeClasses,
      pssVersion: options.pssVersion ?? settings?.pssVersion,
    });
  });
  return {
    findings: reports.flatMap((r) => r.findings),
    failures: reports.flatMap((r) => r.failures),
    warnings: reports.flatMap((r) => r.warnings),
    resources: reports.reduce((n, r) => n + r.resources, 0),
    exceptions: reports[0]?.exceptions ?? [],
    policies: reports[0]?.policies ?? [],
  };
}

/**
 * Throws an Error listing every failing policy and resource unless the chart (or app) complies. Works with any test
 * runner: `expectCompliant(chart)` in a vitest, jest or node:test test.
 */
export function expectCompliant(
  target: Synthesizable,
  options: ExpectCompliantOptions = {},
): ComplianceReport {
  const report = checkCompliance(target, options);
  if (report.failures.length > 0) {
    const profile = options.profile ?? 'restricted';
    const scope = options.hardening === false ? profile : `${profile} + hardening`;
    throw new Error(
      `${report.failures.length} Palisade ${report.failures.length === 1 ? 'failure' : 'failures'} (${scope}):\n` +
        formatFailures(report.failures),
    );
  }
  return report;
}
