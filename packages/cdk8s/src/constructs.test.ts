import { exceptionDocumentSchema } from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { Chart, JsonPatch, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { DefaultDenyNetworkPolicy, NetworkPolicy } from './network-policy.js';
import { Probe } from './pod.js';
import { HARDENING_POLICY_IDS, PSS_POLICY_IDS } from './policies.js';
import type { PalisadeResource } from './resource.js';
import { Service } from './service.js';
import { ServiceAccount } from './service-account.js';
import { configurePalisade, type PalisadeChart } from './settings.js';
import { image, newChart, SETTINGS, serviceContainer, synth } from './test-support.js';
import { checkCompliance, expectCompliant } from './testing.js';
import { CronJob, DaemonSet, Deployment, Job, Pod, StatefulSet } from './workloads.js';

/** Each construct with no options beyond what it cannot do without (an image, probes, a schedule). */
const DEFAULTS: Record<string, (chart: PalisadeChart) => PalisadeResource> = {
  Deployment: (chart) => new Deployment(chart, 'web', { containers: [serviceContainer()] }),
  StatefulSet: (chart) =>
    new StatefulSet(chart, 'db', { serviceName: 'db', containers: [serviceContainer()] }),
  DaemonSet: (chart) => new DaemonSet(chart, 'agent', { containers: [serviceContainer()] }),
  Job: (chart) => new Job(chart, 'migrate', { containers: [{ image: image('migrate') }] }),
  CronJob: (chart) =>
    new CronJob(chart, 'report', { schedule: '0 2 * * *', containers: [{ image: image('report') }] }),
  Pod: (chart) => new Pod(chart, 'debug', { containers: [serviceContainer()] }),
  ServiceAccount: (chart) => new ServiceAccount(chart, 'sa'),
  Service: (chart) =>
    new Service(chart, 'svc', {
      selector: { 'app.kubernetes.io/instance': 'web' },
      ports: [{ port: 80, targetPort: 8080 }],
    }),
  NetworkPolicy: (chart) =>
    new NetworkPolicy(chart, 'allow', {
      pods: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{ peers: [{ pods: { matchLabels: { app: 'client' } } }], ports: [{ port: 8080 }] }],
    }),
  DefaultDenyNetworkPolicy: (chart) => new DefaultDenyNetworkPolicy(chart, 'deny'),
};

describe('the policy id types', () => {
  it('list exactly the catalogue', () => {
    expect(new Set([...PSS_POLICY_IDS, ...HARDENING_POLICY_IDS])).toEqual(
      new Set(catalogue.map((p) => p.id)),
    );
    expect([...HARDENING_POLICY_IDS]).toEqual(hardeningPolicies.map((p) => p.id));
  });
});

describe.each(Object.keys(DEFAULTS))('%s with defaults', (kind) => {
  const make = DEFAULTS[kind]!;

  it('passes the restricted profile and every hardening policy, with nothing excepted', () => {
    const chart = newChart();
    make(chart);
    const report = expectCompliant(chart, { profile: 'restricted' });
    expect(report.resources).toBeGreaterThan(0);
    expect(report.exceptions).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings)
      expect(`${finding.policy.id}: ${finding.status}`).toMatch(/: pass$/);
  });

  it('passes the baseline profile too', () => {
    const chart = newChart();
    make(chart);
    expect(checkCompliance(chart, { profile: 'baseline' }).failures).toEqual([]);
  });

  it('synthesizes the documented output', () => {
    const chart = newChart();
    make(chart);
    expect(synth(chart)).toMatchSnapshot();
  });
});

describe('secure pod defaults', () => {
  const chart = newChart();
  const web = new Deployment(chart, 'web', { containers: [serviceContainer({ name: 'web' })] });
  const json = web.toJson() as { spec: { template: { spec: Record<string, unknown> } } };
  const pod = json.spec.template.spec as {
    securityContext: Record<string, unknown>;
    containers: Record<string, unknown>[];
    volumes: Record<string, unknown>[];
  } & Record<string, unknown>;
  const container = pod.containers[0]!;

  it('runs as a non-root user with the RuntimeDefault seccomp profile', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  it('drops every capability, forbids escalation and mounts the root filesystem read-only', () => {
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
  });

  it('gives /tmp its own size-limited emptyDir', () => {
    expect(container.volumeMounts).toEqual([{ name: 'web-tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([{ name: 'web-tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  it('requests CPU and memory and limits memory', () => {
    expect(container.resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
  });

  it('mounts no API token, runs under the chart runtime class and in the chart namespace', () => {
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.runtimeClassName).toBe('gvisor');
    expect(web.namespace).toBe('team');
  });

  it('merges resource overrides field by field over chart defaults', () => {
    const custom = newChart({ defaultResources: { requests: { cpu: '50m' }, limits: { cpu: '1' } } });
    const d = new Deployment(custom, 'web', {
      containers: [serviceContainer({ resources: { limits: { memory: '1Gi' } } })],
    });
    const spec = (d.toJson() as { spec: { template: { spec: { containers: { resources: unknown }[] } } } })
      .spec.template.spec;
    expect(spec.containers[0]!.resources).toEqual({
      requests: { cpu: '50m', memory: '128Mi' },
      limits: { cpu: '1', memory: '1Gi' },
    });
  });

  it('adds back NET_BIND_SERVICE without a relaxation (the restricted profile allows it)', () => {
    const c = newChart();
    new Deployment(c, 'web', { containers: [serviceContainer({ addCapabilities: ['NET_BIND_SERVICE'] })] });
    expect(checkCompliance(c).failures).toEqual([]);
  });

  it('selects its pods by the instance label, which Services and NetworkPolicies reuse', () => {
    const c = newChart();
    const d = new Deployment(c, 'web', { containers: [serviceContainer()] });
    const svc = new Service(c, 'svc', { selector: d, ports: [{ port: 80, targetPort: 'http' }] });
    const selector = (svc.toJson() as { spec: { selector: unknown } }).spec.selector;
    expect(selector).toEqual(d.selectorLabels);
    expect((d.toJson() as { spec: { selector: unknown } }).spec.selector).toEqual({
      matchLabels: d.selectorLabels,
    });
  });
});

describe('settings outside a PalisadeChart', () => {
  it('works in a plain Chart configured with configurePalisade', () => {
    const chart = new Chart(Testing.app(), 'plain', { namespace: 'team' });
    configurePalisade(chart, SETTINGS);
    new Deployment(chart, 'web', { containers: [serviceContainer()] });
    new CronJob(chart, 'report', { schedule: '@daily', containers: [{ image: image() }] });
    expect(expectCompliant(chart).failures).toEqual([]);
  });

  it('takes the namespace from the construct when the chart has none', () => {
    const chart = new Chart(Testing.app(), 'plain');
    configurePalisade(chart, SETTINGS);
    const web = new Deployment(chart, 'web', { namespace: 'shop', containers: [serviceContainer()] });
    expect(web.namespace).toBe('shop');
    expect(expectCompliant(chart).failures).toEqual([]);
  });

  it('accepts a RuntimeClass the chart allows besides its default', () => {
    const chart = newChart({ allowedRuntimeClasses: ['kata'] });
    new Deployment(chart, 'web', { runtimeClassName: 'kata', containers: [serviceContainer()] });
    expect(expectCompliant(chart).failures).toEqual([]);
  });
});

describe('the example of a StatefulSet with storage and an init container', () => {
  it('passes with a volume claim template mounted and several named containers', () => {
    const chart = newChart();
    new StatefulSet(chart, 'db', {
      serviceName: 'db',
      volumeClaimTemplates: [{ name: 'data', storage: '10Gi', storageClassName: 'fast' }],
      initContainers: [{ name: 'init-perms', image: image('init'), command: ['/bin/true'] }],
      volumes: [{ name: 'config', configMap: { name: 'db-config' } }],
      containers: [
        serviceContainer({
          name: 'db',
          volumeMounts: [
            { volume: 'data', mountPath: '/var/lib/data' },
            { volume: 'config', mountPath: '/etc/db', readOnly: true },
          ],
          writablePaths: ['/tmp', { path: '/run/db', sizeLimit: '16Mi', medium: 'Memory' }],
        }),
        serviceContainer({
          name: 'exporter',
          image: image('exporter'),
          livenessProbe: Probe.tcp(9187),
          readinessProbe: Probe.tcp(9187),
        }),
      ],
    });
    expect(expectCompliant(chart).failures).toEqual([]);
  });
});

describe('changes after construction', () => {
  it('are checked again at synth, so a JSON patch cannot quietly break a policy', () => {
    const chart = newChart();
    const web = new Deployment(chart, 'web', { containers: [serviceContainer()] });
    web.apiObject.addJsonPatch(
      JsonPatch.replace('/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', false),
    );
    expect(() => Testing.synth(chart)).toThrow(/no longer passes require-ro-rootfs/);
  });

  it('keep passing when the patch does not touch a policy', () => {
    const chart = newChart();
    const web = new Deployment(chart, 'web', { containers: [serviceContainer()] });
    web.apiObject.addJsonPatch(JsonPatch.add('/spec/template/spec/priorityClassName', 'high'));
    expect(expectCompliant(chart).failures).toEqual([]);
  });
});

describe('emitted exception documents', () => {
  it('follow the PolicyException document schema', () => {
    const chart = newChart();
    new Deployment(chart, 'web', {
      containers: [serviceContainer({ readOnlyRootFilesystem: false })],
      relax: [{ policy: 'require-ro-rootfs', reason: 'writes caches', expires: '2999-01-01' }],
    });
    const docs = synth(chart).filter((d) => d.kind === 'PolicyException');
    expect(docs).toHaveLength(1);
    expect(() => exceptionDocumentSchema.parse(docs[0])).not.toThrow();
  });
});
