import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiObject, App } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { Probe } from './pod.js';
import { PalisadeChart } from './settings.js';
import { image, SETTINGS, serviceContainer } from './test-support.js';
import {
  type Cdk8sValidationContext,
  type Cdk8sValidationViolation,
  CONFIGURATION_RULE,
  PalisadeValidation,
  type PalisadeValidationProps,
} from './validation-plugin.js';
import { CronJob, Deployment } from './workloads.js';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** A stand-in for the CLI's ValidationContext: records what the plugin reports. */
function fakeContext(manifests: readonly string[]) {
  const violations: Cdk8sValidationViolation[] = [];
  const logs: string[] = [];
  const submitted: { status?: 'success' | 'failure'; metadata?: Readonly<Record<string, string>> } = {};
  const context: Cdk8sValidationContext = {
    manifests,
    logger: { log: (message) => logs.push(message) },
    report: {
      addViolation: (v) => {
        if (submitted.status) throw new Error('violation added after submit');
        violations.push(v);
      },
      submit: (status, metadata) => {
        submitted.status = status;
        if (metadata) submitted.metadata = metadata;
      },
    },
  };
  return { context, violations, logs, submitted };
}

/** Synthesizes an app the way `cdk8s synth` does, into a fresh directory; returns the manifest paths. */
function synthApp(build: (chart: PalisadeChart) => void): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'palisade-cdk8s-'));
  const app = new App({ outdir });
  build(new PalisadeChart(app, 'shop', { ...SETTINGS, namespace: 'shop' }));
  app.synth();
  return readdirSync(outdir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(outdir, f));
}

const PROPS: PalisadeValidationProps = {
  allowedRegistries: ['registry.example.com/'],
  runtimeClasses: ['gvisor'],
};

function compliantApp(chart: PalisadeChart) {
  new Deployment(chart, 'web', { containers: [serviceContainer()] });
  new Deployment(chart, 'worker', {
    containers: [serviceContainer({ readOnlyRootFilesystem: false })],
    relax: [{ policy: 'require-ro-rootfs', reason: 'legacy renderer writes to /opt' }],
  });
  new CronJob(chart, 'report', { schedule: '@daily', containers: [{ image: image() }] });
}

function insecureApp(chart: PalisadeChart) {
  compliantApp(chart);
  new ApiObject(chart, 'legacy', {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'legacy' },
    spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
  });
}

describe('PalisadeValidation (cdk8s synth --validate)', () => {
  it('submits success for compliant output, honouring the exceptions constructs emitted', async () => {
    const { context, violations, submitted } = fakeContext(synthApp(compliantApp));
    await new PalisadeValidation(PROPS).validate(context);
    expect(violations).toEqual([]);
    expect(submitted.status).toBe('success');
    expect(submitted.metadata).toMatchObject({
      profile: 'restricted',
      resources: '3',
      exceptions: '1',
      excepted: '1',
      failures: '0',
    });
  });

  it('submits failure with one violation per policy, naming resources, fields and lines', async () => {
    const manifests = synthApp(insecureApp);
    const { context, violations, submitted } = fakeContext(manifests);
    await new PalisadeValidation(PROPS).validate(context);
    expect(submitted.status).toBe('failure');
    const ro = violations.find((v) => v.ruleName === 'require-ro-rootfs');
    expect(ro).toMatchObject({
      recommendation: expect.stringMatching(/^Require Read-Only Root Filesystem: /),
      fix: expect.stringContaining('readOnlyRootFilesystem: true'),
      violatingResources: [
        {
          resourceName: 'legacy',
          manifestPath: manifests[0],
          locations: [
            expect.stringMatching(
              /^spec\.template\.spec\.containers\[0\]\.securityContext\.readOnlyRootFilesystem \(line \d+\): container "app" must set/,
            ),
          ],
        },
      ],
    });
    // The relaxed worker is not reported; only the hand-written Deployment is.
    for (const v of violations) expect(v.violatingResources.map((r) => r.resourceName)).toEqual(['legacy']);
    expect(violations.map((v) => v.ruleName)).toContain('disallow-latest-tag');
  });

  it('fails the relaxed workload once its exception document is removed', async () => {
    const manifests = synthApp(compliantApp);
    const file = manifests[0]!;
    const docs = parseAllDocuments(readFileSync(file, 'utf8'))
      .map((d) => d.toJS() as { kind: string })
      .filter((d) => d.kind !== 'PolicyException');
    writeFileSync(file, docs.map((d) => stringify(d)).join('---\n'));
    const { context, violations, submitted } = fakeContext(manifests);
    await new PalisadeValidation(PROPS).validate(context);
    expect(submitted.status).toBe('failure');
    expect(violations.map((v) => v.ruleName)).toEqual(['require-ro-rootfs']);
    expect(violations[0]!.violatingResources.map((r) => r.resourceName)).toEqual(['shop-worker-c8c61256']);
  });

  it('honours extra exception files', async () => {
    const manifests = synthApp(insecureApp);
    const file = join(dirname(manifests[0]!), 'exceptions.yaml');
    writeFileSync(
      file,
      [
        'apiVersion: palisade.dev/v1alpha1',
        'kind: PolicyException',
        'metadata: { name: legacy }',
        'spec:',
        '  policies: ["*"]',
        '  reason: being rewritten with Palisade constructs',
        '  match: { names: [legacy], kinds: [Deployment] }',
      ].join('\n'),
    );
    const { context, submitted } = fakeContext(manifests);
    await new PalisadeValidation({ ...PROPS, exceptionFiles: [file] }).validate(context);
    expect(submitted.status).toBe('success');
  });

  it('reports configuration problems as a failed report instead of crashing synth', async () => {
    const { context, violations, submitted } = fakeContext(synthApp(compliantApp));
    await new PalisadeValidation({}).validate(context);
    expect(submitted.status).toBe('failure');
    expect(violations[0]).toMatchObject({
      ruleName: CONFIGURATION_RULE,
      recommendation: expect.stringMatching(/restrict-image-registries needs the allowed registries/),
    });
  });

  it('reports manifests it cannot read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-cdk8s-'));
    const broken = join(dir, 'broken.k8s.yaml');
    writeFileSync(broken, 'kind: Deployment\nmetadata: [unclosed\n');
    const { context, violations, submitted } = fakeContext([broken]);
    await new PalisadeValidation(PROPS).validate(context);
    expect(submitted.status).toBe('failure');
    expect(violations[0]).toMatchObject({
      ruleName: CONFIGURATION_RULE,
      violatingResources: [{ manifestPath: broken }],
    });
  });

  it('rejects unknown properties with a clear message', () => {
    expect(
      () => new PalisadeValidation({ profiles: 'restricted' } as unknown as PalisadeValidationProps),
    ).toThrow(/invalid PalisadeValidation properties in cdk8s.yaml/);
  });

  it('is loadable the way the cdk8s CLI loads it: require() of the package directory, new, validate', () => {
    const manifests = synthApp((chart) => {
      new Deployment(chart, 'web', {
        containers: [serviceContainer({ livenessProbe: Probe.tcp(8080), readinessProbe: Probe.tcp(8080) })],
      });
    });
    // A separate Node process, as the CLI is: CommonJS require of the directory ("main"), then the documented calls.
    const script = `
      const plugin = require(${JSON.stringify(packageDir)});
      const calls = [];
      const context = {
        manifests: ${JSON.stringify(manifests)},
        logger: { log: () => {} },
        report: { addViolation: (v) => calls.push(v.ruleName), submit: (status) => calls.push(status) },
      };
      new plugin.PalisadeValidation(${JSON.stringify(PROPS)}).validate(context)
        .then(() => console.log(JSON.stringify(calls)), (e) => { console.error(e); process.exit(1); });
    `;
    const output = execFileSync(
      process.execPath,
      ['--conditions=@palisade/source', '--import', 'tsx', '-e', script],
      {
        cwd: packageDir,
        encoding: 'utf8',
      },
    );
    expect(JSON.parse(output)).toEqual(['success']);
  });
});
