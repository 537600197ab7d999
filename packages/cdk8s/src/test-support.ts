// Shared fixtures of this package's tests (excluded from the build).
import { Testing } from 'cdk8s';
import { Probe, type ServiceContainer } from './pod.js';
import { PalisadeChart, type PalisadeChartProps } from './settings.js';
import { type ComplianceReport, checkManifests, type Finding, isExceptionDocument } from './validate.js';

export const DIGEST = `sha256:${'e'.repeat(64)}`;
export const REGISTRY = 'registry.example.com/';

/** A compliant image reference: allowed registry, version tag, sha256 digest. */
export const image = (name = 'app', tag = '1.0.0') => `${REGISTRY}team/${name}:${tag}@${DIGEST}`;

export const SETTINGS = {
  namespace: 'team',
  allowedRegistries: [REGISTRY],
  runtimeClassName: 'gvisor',
} as const satisfies PalisadeChartProps;

export function newChart(props: Partial<PalisadeChartProps> = {}): PalisadeChart {
  return new PalisadeChart(Testing.app(), 'test', { ...SETTINGS, ...props });
}

/** A long-running container with probes: the least a Deployment needs. */
export function serviceContainer(extra: Partial<ServiceContainer> = {}): ServiceContainer {
  return {
    image: image(),
    ports: [{ name: 'http', containerPort: 8080 }],
    livenessProbe: Probe.http('/healthz', 'http'),
    readinessProbe: Probe.http('/ready', 'http'),
    ...extra,
  };
}

/** The chart's synthesized manifests, PolicyException documents included. */
export function synth(chart: PalisadeChart): Record<string, unknown>[] {
  return Testing.synth(chart) as Record<string, unknown>[];
}

/** Validates the chart's resources while ignoring the exceptions it emitted: what a relaxation hides. */
export function checkWithoutExceptions(chart: PalisadeChart): ComplianceReport {
  const resources = synth(chart).filter((d) => !isExceptionDocument(d));
  return checkManifests(
    resources.map((object) => ({ object })),
    {
      allowedRegistries: chart.settings.allowedRegistries,
      runtimeClasses: chart.settings.allowedRuntimeClasses,
    },
  );
}

/** The findings for one resource. */
export function findingsFor(report: ComplianceReport, kind: string, name: string): Finding[] {
  return report.findings.filter((f) => f.kind === kind && f.name === name);
}
