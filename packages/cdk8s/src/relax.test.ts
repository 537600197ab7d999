import { exceptionDocumentSchema, exceptionFromDocument } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { DefaultDenyNetworkPolicy } from './network-policy.js';
import type { BatchContainer, PodOptions, ServiceContainer } from './pod.js';
import type { PolicyId } from './policies.js';
import { EXCEPTIONS_ANNOTATION, PalisadeConfigError, type Relaxation } from './relax.js';
import type { PalisadeResource } from './resource.js';
import { Service, type ServiceProps } from './service.js';
import { ServiceAccount } from './service-account.js';
import type { PalisadeChart } from './settings.js';
import {
  checkWithoutExceptions,
  findingsFor,
  image,
  newChart,
  serviceContainer,
  synth,
} from './test-support.js';
import { checkCompliance } from './testing.js';
import { CronJob, DaemonSet, Deployment, Job, Pod, StatefulSet } from './workloads.js';

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod';

interface Options {
  readonly pod?: Partial<PodOptions<ServiceContainer>> & { readonly namespace?: string };
  readonly container?: Partial<ServiceContainer>;
  readonly relax?: readonly Relaxation<string>[];
}

/** Builds a workload of `kind` with pod and container options layered over a compliant base. */
function workload(kind: WorkloadKind, chart: PalisadeChart, options: Options): PalisadeResource {
  const relax = options.relax ? { relax: options.relax as readonly Relaxation<never>[] } : {};
  if (kind === 'Job' || kind === 'CronJob') {
    const { livenessProbe: _l, readinessProbe: _r, ...rest } = options.container ?? {};
    const container: BatchContainer = { image: image(), ...(rest as Partial<BatchContainer>) };
    const props = { ...(options.pod as object), containers: [container] as [BatchContainer], ...relax };
    return kind === 'Job'
      ? new Job(chart, 'w', props)
      : new CronJob(chart, 'w', { ...props, schedule: '*/5 * * * *' });
  }
  const props = {
    ...(options.pod as object),
    containers: [serviceContainer(options.container)] as [ServiceContainer],
    ...relax,
  };
  switch (kind) {
    case 'Deployment':
      return new Deployment(chart, 'w', props);
    case 'StatefulSet':
      return new StatefulSet(chart, 'w', { ...props, serviceName: 'w' });
    case 'DaemonSet':
      return new DaemonSet(chart, 'w', props);
    case 'Pod':
      return new Pod(chart, 'w', props);
  }
}

interface Hatch {
  readonly title: string;
  readonly options: Options;
  /** The policies to name in `relax`. */
  readonly relax: readonly PolicyId[];
  /** What the emitted exceptions cover, by relaxed policy, when more than the policy itself. */
  readonly covers?: Readonly<Record<string, readonly string[]>>;
  readonly kinds?: readonly WorkloadKind[];
}

const ALL: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'];

/** Every escape hatch of the pod template and the policies it breaks (at restricted + hardening). */
const HATCHES: readonly Hatch[] = [
  {
    title: 'readOnlyRootFilesystem: false',
    options: { container: { readOnlyRootFilesystem: false } },
    relax: ['require-ro-rootfs'],
    kinds: ALL,
  },
  {
    title: 'allowPrivilegeEscalation: true',
    options: { container: { allowPrivilegeEscalation: true } },
    relax: ['disallow-privilege-escalation'],
  },
  {
    title: 'privileged: true',
    options: { container: { privileged: true } },
    relax: ['disallow-privileged-containers', 'disallow-privilege-escalation'],
  },
  {
    title: 'a capability beyond NET_BIND_SERVICE',
    options: { container: { addCapabilities: ['NET_ADMIN'] } },
    relax: ['disallow-capabilities-strict'],
    covers: { 'disallow-capabilities-strict': ['disallow-capabilities-strict', 'disallow-capabilities'] },
  },
  {
    title: 'a seccomp profile of Unconfined',
    options: { pod: { securityContext: { seccompProfile: { type: 'Unconfined' } } } },
    relax: ['restrict-seccomp-strict'],
    covers: { 'restrict-seccomp-strict': ['restrict-seccomp-strict', 'restrict-seccomp'] },
  },
  {
    title: 'a hostPath volume',
    options: {
      pod: { volumes: [{ name: 'logs', hostPath: { path: '/var/log', type: 'Directory' } }] },
      container: { volumeMounts: [{ volume: 'logs', mountPath: '/var/log/host', readOnly: true }] },
    },
    relax: ['restrict-volume-types'],
    covers: { 'restrict-volume-types': ['restrict-volume-types', 'disallow-host-path'] },
    kinds: ['DaemonSet', 'Deployment'],
  },
  {
    title: 'hostNetwork: true',
    options: { pod: { hostNetwork: true } },
    relax: ['disallow-host-namespaces'],
  },
  { title: 'hostPID: true', options: { pod: { hostPID: true } }, relax: ['disallow-host-namespaces'] },
  {
    title: 'a hostPort',
    options: { container: { ports: [{ name: 'http', containerPort: 8080, hostPort: 8080 }] } },
    relax: ['disallow-host-ports'],
  },
  {
    title: 'an unsafe sysctl',
    options: { pod: { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '65536' }] } } },
    relax: ['restrict-sysctls'],
  },
  {
    title: 'automountServiceAccountToken: true',
    options: { pod: { automountServiceAccountToken: true } },
    relax: ['disallow-service-account-token-automount'],
    kinds: ALL,
  },
  {
    title: 'runtimeClassName: null',
    options: { pod: { runtimeClassName: null } },
    relax: ['require-runtime-class'],
  },
  {
    title: 'a RuntimeClass the chart does not allow',
    options: { pod: { runtimeClassName: 'runc' } },
    relax: ['require-runtime-class'],
  },
  {
    title: 'no memory limit',
    options: { container: { resources: { limits: { memory: null } } } },
    relax: ['require-requests-limits'],
    kinds: ['Deployment', 'CronJob'],
  },
  {
    title: 'a zero CPU request',
    options: { container: { resources: { requests: { cpu: '0' } } } },
    relax: ['require-requests-limits'],
  },
  {
    title: 'no liveness probe',
    options: { container: { livenessProbe: false } },
    relax: ['require-probes'],
    kinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod'],
  },
  {
    title: 'an image without a digest',
    options: { container: { image: 'registry.example.com/team/app:1.0.0' } },
    relax: ['require-image-digest'],
    kinds: ALL,
  },
  {
    title: 'an image on the latest tag',
    options: { container: { image: 'registry.example.com/team/app:latest' } },
    relax: ['disallow-latest-tag', 'require-image-digest'],
  },
  {
    title: 'an image from another registry',
    options: { container: { image: `docker.io/library/nginx:1.27@sha256:${'f'.repeat(64)}` } },
    relax: ['restrict-image-registries'],
  },
  {
    title: 'the default namespace',
    options: { pod: { namespace: 'default' } },
    relax: ['disallow-default-namespace'],
    kinds: ALL,
  },
];

const reasons = (ids: readonly string[], expires?: string): Relaxation<string>[] =>
  ids.map((policy) => ({
    policy,
    reason: `reviewed: ${policy} is needed (SEC-1)`,
    ...(expires ? { expires } : {}),
  }));

function checkEscapeHatch(
  build: (chart: PalisadeChart, relax?: readonly Relaxation<string>[]) => PalisadeResource,
  hatch: Pick<Hatch, 'relax' | 'covers'>,
) {
  it('fails at construction without a relaxation, naming each policy it breaks', () => {
    let error: unknown;
    try {
      build(newChart());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PalisadeConfigError);
    for (const id of hatch.relax) expect((error as Error).message).toContain(`- ${id}:`);
    expect((error as Error).message).toContain('relax: [{ policy:');
  });

  it('emits the documented exception when relaxed, and the validator skips the resource for it', () => {
    const chart = newChart();
    const resource = build(chart, reasons(hatch.relax, '2999-12-31'));
    const { kind, name, namespace } = resource.ref;

    // One exception per relaxation, matching exactly this resource.
    expect(resource.exceptions).toHaveLength(hatch.relax.length);
    for (const id of hatch.relax) {
      const exception = resource.exceptions.find((e) => e.policies[0] === id)!;
      expect(exception).toEqual({
        name: `${name}-${kind.toLowerCase()}-${id}`,
        policies: [...(hatch.covers?.[id] ?? [id])],
        reason: `reviewed: ${id} is needed (SEC-1)`,
        expires: '2999-12-31',
        match: { namespaces: [namespace], names: [name], kinds: [kind] },
      });
    }
    const docs = synth(chart).filter((d) => d.kind === 'PolicyException');
    expect(docs.map((d) => exceptionFromDocument(exceptionDocumentSchema.parse(d)))).toEqual(
      resource.exceptions,
    );
    const manifest = synth(chart).find((d) => d.kind === kind) as {
      metadata: { annotations: Record<string, string> };
    };
    expect(manifest.metadata.annotations[EXCEPTIONS_ANNOTATION]).toBe(
      resource.exceptions.map((e) => e.name).join(','),
    );

    // The validator honours the emitted exceptions: skip, not fail, at restricted and at baseline.
    const report = checkCompliance(chart);
    expect(report.failures).toEqual([]);
    const covered = resource.exceptions.flatMap((e) => e.policies);
    for (const id of covered.filter((p) => report.policies.some((policy) => policy.id === p))) {
      const finding = findingsFor(report, kind, name).find((f) => f.policy.id === id);
      expect(finding, id).toMatchObject({
        status: 'skip',
        exception: resource.exceptions.find((e) => e.policies.includes(id))!.name,
      });
    }
    expect(checkCompliance(chart, { profile: 'baseline' }).failures).toEqual([]);

    // Without the exception documents, the same resource fails each relaxed policy.
    const bare = checkWithoutExceptions(chart);
    for (const id of hatch.relax) {
      expect(findingsFor(bare, kind, name).find((f) => f.policy.id === id)?.status, id).toBe('fail');
    }
  });

  it('refuses a relaxation that has expired', () => {
    expect(() => build(newChart(), reasons(hatch.relax, '2020-01-01'))).toThrow(/expired on 2020-01-01/);
  });
}

for (const hatch of HATCHES) {
  for (const kind of hatch.kinds ?? ['Deployment']) {
    describe(`${kind} with ${hatch.title}`, () => {
      checkEscapeHatch(
        (chart, relax) => workload(kind, chart, { ...hatch.options, ...(relax ? { relax } : {}) }),
        hatch,
      );
    });
  }
}

describe('escape hatches of the other resources', () => {
  const service =
    (extra: Partial<ServiceProps>) => (chart: PalisadeChart, relax?: readonly Relaxation<string>[]) =>
      new Service(chart, 's', {
        selector: { app: 'web' },
        ports: [{ port: 80 }],
        ...extra,
        ...(relax ? { relax: relax as readonly Relaxation<never>[] } : {}),
      });

  describe('a NodePort Service', () => {
    checkEscapeHatch(service({ type: 'NodePort' }), { relax: ['restrict-node-port'] });
  });
  describe('a Service with external IPs', () => {
    checkEscapeHatch(service({ externalIPs: ['203.0.113.10'] }), {
      relax: ['restrict-service-external-ips'],
    });
  });
  describe('a ServiceAccount that mounts its token', () => {
    checkEscapeHatch(
      (chart, relax) =>
        new ServiceAccount(chart, 'sa', {
          automountServiceAccountToken: true,
          ...(relax ? { relax: relax as readonly Relaxation<never>[] } : {}),
        }),
      { relax: ['disallow-service-account-token-automount'] },
    );
  });
  describe('a NetworkPolicy in the default namespace', () => {
    checkEscapeHatch(
      (chart, relax) =>
        new DefaultDenyNetworkPolicy(chart, 'deny', {
          namespace: 'default',
          ...(relax ? { relax: relax as readonly Relaxation<never>[] } : {}),
        }),
      { relax: ['disallow-default-namespace'] },
    );
  });
});
