import { ApiObject, Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { PalisadeChart } from './settings.js';
import { newChart, SETTINGS, serviceContainer } from './test-support.js';
import { checkCompliance, expectCompliant } from './testing.js';
import { Deployment } from './workloads.js';

/** A Deployment written by hand, the way cdk8s users do without Palisade. */
function rawDeployment(chart: Chart, name: string) {
  return new ApiObject(chart, name, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx' }] },
      },
    },
  });
}

describe('expectCompliant', () => {
  it('returns the report when everything passes', () => {
    const chart = newChart();
    new Deployment(chart, 'web', { containers: [serviceContainer()] });
    const report = expectCompliant(chart);
    expect(report.failures).toEqual([]);
    expect(report.policies.map((p) => p.id)).toContain('require-ro-rootfs');
  });

  it('throws an Error listing each failing resource and policy, with the field', () => {
    const chart = newChart();
    new Deployment(chart, 'web', { containers: [serviceContainer()] });
    rawDeployment(chart, 'legacy');
    let error: unknown;
    try {
      expectCompliant(chart, { profile: 'restricted' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toMatch(
      /^\d+ Palisade failures \(restricted \+ hardening\):\n {2}Deployment team\/legacy \(chart test\)\n/,
    );
    expect(message).toContain(
      '    - require-ro-rootfs: container "app" must set securityContext.readOnlyRootFilesystem=true ' +
        '(at spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem)',
    );
    expect(message).toContain('- disallow-latest-tag:');
    expect(message).toContain('- require-run-as-nonroot:');
    expect(message).not.toMatch(/Deployment team\/test-web/);
  });

  it('checks the profile asked for: baseline lets through what restricted refuses', () => {
    const chart = newChart();
    rawDeployment(chart, 'legacy');
    expect(() => expectCompliant(chart, { profile: 'baseline', hardening: false })).not.toThrow();
    expect(() => expectCompliant(chart, { profile: 'restricted', hardening: false })).toThrow(
      /\(restricted\):/,
    );
  });

  it('honours extra exceptions and excluded policies', () => {
    const chart = newChart();
    rawDeployment(chart, 'legacy');
    const everything = {
      name: 'legacy',
      policies: ['*'],
      reason: 'migrating to Palisade constructs',
      match: { names: ['legacy'], kinds: ['Deployment'] },
    };
    expect(() => expectCompliant(chart, { exceptions: [everything] })).not.toThrow();
    const expired = { ...everything, expires: '2020-01-01' };
    expect(() => expectCompliant(chart, { exceptions: [expired] })).toThrow();
  });

  it('validates every chart of an app, each with its own settings', () => {
    const app = Testing.app();
    const a = new PalisadeChart(app, 'a', { ...SETTINGS, namespace: 'team-a' });
    // Team b may only pull its own images: the registry parameter differs per chart.
    const b = new PalisadeChart(app, 'b', {
      ...SETTINGS,
      namespace: 'team-b',
      allowedRegistries: ['registry.example.com/b/'],
    });
    new Deployment(a, 'web', { containers: [serviceContainer()] });
    new Deployment(b, 'web', {
      containers: [serviceContainer({ image: `registry.example.com/b/app:1@sha256:${'0'.repeat(64)}` })],
    });
    expect(expectCompliant(app).resources).toBe(2);
  });

  it('needs the registry and runtime class parameters for a chart without Palisade settings', () => {
    const chart = new Chart(Testing.app(), 'plain', { namespace: 'team' });
    rawDeployment(chart, 'legacy');
    expect(() => checkCompliance(chart)).toThrow(/restrict-image-registries needs the allowed registries/);
    expect(
      checkCompliance(chart, { allowedRegistries: ['registry.example.com/'], runtimeClasses: ['gvisor'] })
        .failures.length,
    ).toBeGreaterThan(0);
    expect(() =>
      checkCompliance(chart, { exclude: ['restrict-image-registries', 'require-runtime-class'] }),
    ).not.toThrow();
  });
});
