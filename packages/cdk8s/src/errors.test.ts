import { Chart, Testing } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { Probe, type ServiceContainer } from './pod.js';
import type { PodPolicyId } from './policies.js';
import type { Relaxation } from './relax.js';
import { Service } from './service.js';
import { ServiceAccount } from './service-account.js';
import { configurePalisade } from './settings.js';
import { image, newChart, SETTINGS, serviceContainer } from './test-support.js';
import { CronJob, Deployment, Job, StatefulSet } from './workloads.js';

/** A Deployment with one container's options and relaxations; the one thing each test gets wrong. */
function deploy(container: Partial<ServiceContainer> = {}, relax?: readonly Relaxation<PodPolicyId>[]) {
  return () =>
    new Deployment(newChart(), 'web', {
      containers: [serviceContainer(container)],
      ...(relax ? { relax } : {}),
    });
}

describe('invalid relaxations fail at construction', () => {
  it('relaxing a policy the options do not break', () => {
    expect(deploy({}, [{ policy: 'require-ro-rootfs', reason: 'just in case' }])).toThrow(
      /relax names "require-ro-rootfs", but no option of this construct breaks it/,
    );
  });

  it('relaxing one policy when the option breaks another', () => {
    expect(
      deploy({ readOnlyRootFilesystem: false }, [
        { policy: 'disallow-privilege-escalation', reason: 'wrong one' },
      ]),
    ).toThrow(/breaks a Palisade policy:\n {2}- require-ro-rootfs:/);
  });

  it('an empty or blank reason', () => {
    expect(deploy({ readOnlyRootFilesystem: false }, [{ policy: 'require-ro-rootfs', reason: '' }])).toThrow(
      /relaxing "require-ro-rootfs" needs a reason/,
    );
    expect(
      deploy({ readOnlyRootFilesystem: false }, [{ policy: 'require-ro-rootfs', reason: '   ' }]),
    ).toThrow(/needs a reason/);
  });

  it('the same policy twice', () => {
    const twice = [
      { policy: 'require-ro-rootfs', reason: 'a' },
      { policy: 'require-ro-rootfs', reason: 'b' },
    ] as const;
    expect(deploy({ readOnlyRootFilesystem: false }, twice)).toThrow(/names "require-ro-rootfs" twice/);
  });

  it('an expiry that is not a date', () => {
    expect(
      deploy({ readOnlyRootFilesystem: false }, [
        { policy: 'require-ro-rootfs', reason: 'r', expires: 'next year' },
      ]),
    ).toThrow(/expires "next year" must be YYYY-MM-DD or an RFC 3339 time/);
  });

  it('a policy the construct can never break (from JavaScript, past the types)', () => {
    const relax = [{ policy: 'restrict-node-port', reason: 'r' }] as unknown as Relaxation<PodPolicyId>[];
    expect(deploy({}, relax)).toThrow(/"restrict-node-port", which is not a policy this construct can break/);
    expect(
      () =>
        new Job(newChart(), 'j', {
          containers: [{ image: image() }],
          relax: [{ policy: 'require-probes', reason: 'r' }] as unknown as Relaxation<never>[],
        }),
    ).toThrow(/"require-probes", which is not a policy this construct can break/);
  });
});

describe('insecure options fail at construction', () => {
  it('runAsUser 0, on the container or the pod', () => {
    expect(deploy({ runAsUser: 0 })).toThrow(
      /runAsUser must not be 0: Palisade constructs never run as root/,
    );
    expect(
      () =>
        new Deployment(newChart(), 'web', {
          securityContext: { runAsUser: 0 },
          containers: [serviceContainer()],
        }),
    ).toThrow(/runAsUser must not be 0/);
    expect(() => newChart({ runAsUser: 0 })).toThrow(/runAsUser must be a positive integer/);
  });

  it('privileged without a relaxation names both policies it breaks', () => {
    let message = '';
    try {
      deploy({ privileged: true })();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/breaks 2 Palisade policies/);
    expect(message).toContain('- disallow-privileged-containers:');
    expect(message).toContain('- disallow-privilege-escalation:');
  });

  it('privileged with only one of the two relaxations', () => {
    expect(
      deploy({ privileged: true }, [{ policy: 'disallow-privileged-containers', reason: 'device plugin' }]),
    ).toThrow(/- disallow-privilege-escalation:/);
  });

  it('privileged with allowPrivilegeEscalation: false, which the API server rejects', () => {
    expect(deploy({ privileged: true, allowPrivilegeEscalation: false })).toThrow(/cannot be combined/);
  });

  it('images that break the supply-chain policies, naming the policy', () => {
    expect(deploy({ image: 'nginx' })).toThrow(
      /- disallow-latest-tag: container "main" image "nginx" must specify a tag/,
    );
    expect(deploy({ image: 'registry.example.com/team/app:latest' })).toThrow(
      /- disallow-latest-tag:.*latest tag/,
    );
    expect(deploy({ image: 'registry.example.com/team/app:1.0' })).toThrow(/- require-image-digest:/);
    expect(deploy({ image: `quay.io/team/app:1.0@sha256:${'1'.repeat(64)}` })).toThrow(
      /- restrict-image-registries: .* must come from an allowed registry: registry.example.com\//,
    );
    expect(deploy({ image: '' })).toThrow(/must be a non-empty image reference/);
  });

  it('a long-running container without probes (from JavaScript, past the types)', () => {
    const noProbes = { image: image() } as unknown as ServiceContainer;
    expect(() => new Deployment(newChart(), 'web', { containers: [noProbes] })).toThrow(
      /- require-probes: container "main" must define livenessProbe/,
    );
  });
});

describe('malformed options fail at construction', () => {
  it('resource quantities', () => {
    expect(deploy({ resources: { requests: { memory: '1 GB' } } })).toThrow(
      /"1 GB" is not a Kubernetes quantity/,
    );
  });

  it('mounts of volumes the pod does not define, and clashing mount paths', () => {
    expect(deploy({ volumeMounts: [{ volume: 'data', mountPath: '/data' }] })).toThrow(
      /mounts volume "data", which the pod does not define/,
    );
    expect(
      () =>
        new Deployment(newChart(), 'web', {
          volumes: [{ name: 'config', configMap: { name: 'c' } }],
          containers: [serviceContainer({ volumeMounts: [{ volume: 'config', mountPath: '/tmp' }] })],
        }),
    ).toThrow(/two volumes are mounted at "\/tmp"/);
    expect(deploy({ writablePaths: ['/'] })).toThrow(/writablePaths cannot include "\/"/);
    expect(deploy({ writablePaths: ['tmp'] })).toThrow(/mount path "tmp" must be absolute/);
  });

  it('containers: unnamed when there are several, duplicate names, invalid names', () => {
    const two = (a: Partial<ServiceContainer>, b: Partial<ServiceContainer>) => () =>
      new Deployment(newChart(), 'web', { containers: [serviceContainer(a), serviceContainer(b)] });
    expect(two({}, { name: 'b' })).toThrow(/every container needs a name/);
    expect(two({ name: 'a' }, { name: 'a' })).toThrow(/two containers are named "a"/);
    expect(deploy({ name: 'Web_1' })).toThrow(/must be a DNS label/);
    expect(
      () => new Deployment(newChart(), 'web', { containers: [] as unknown as [ServiceContainer] }),
    ).toThrow(/at least one container/);
  });

  it('probes with a relative path or a host', () => {
    expect(deploy({ livenessProbe: Probe.http('healthz', 8080) })).toThrow(/must start with "\/"/);
    const hostProbe = { httpGet: { path: '/', port: 80, host: '10.0.0.1' } } as unknown as Probe;
    expect(deploy({ readinessProbe: hostProbe })).toThrow(/must not set host.*disallow-host-probes/);
  });

  it('CronJob schedules and name lengths', () => {
    const cron = (schedule: string, name?: string) => () =>
      new CronJob(newChart(), 'c', {
        schedule,
        ...(name ? { metadata: { name } } : {}),
        containers: [{ image: image() }],
      });
    expect(cron('every day')).toThrow(/schedule "every day" must have 5 fields/);
    expect(cron('0 2 * * *', 'x'.repeat(53))).toThrow(/at most 52 characters/);
    expect(cron('@hourly')).not.toThrow();
  });

  it('replica counts', () => {
    expect(
      () => new Deployment(newChart(), 'web', { replicas: -1, containers: [serviceContainer()] }),
    ).toThrow(/replicas must be an integer >= 0/);
  });

  it('a StatefulSet claim template name that clashes with a volume', () => {
    expect(
      () =>
        new StatefulSet(newChart(), 'db', {
          serviceName: 'db',
          volumes: [{ name: 'data', emptyDir: {} }],
          volumeClaimTemplates: [{ name: 'data', storage: '1Gi' }],
          containers: [serviceContainer()],
        }),
    ).toThrow(/volume names must be unique/);
  });

  it('a Service that selects every pod, or a headless NodePort', () => {
    expect(() => new Service(newChart(), 's', { selector: {}, ports: [{ port: 80 }] })).toThrow(
      /selector is empty/,
    );
    expect(
      () =>
        new Service(newChart(), 's', {
          selector: { a: 'b' },
          headless: true,
          type: 'NodePort',
          ports: [{ port: 80 }],
        }),
    ).toThrow(/headless Service must be of type ClusterIP/);
  });
});

describe('invalid settings fail at construction', () => {
  it('a chart in the default namespace, or without one', () => {
    expect(() => newChart({ namespace: 'default' })).toThrow(/not "default".*disallow-default-namespace/);
    expect(() => newChart({ namespace: '' })).toThrow(/namespace must name a dedicated namespace/);
  });

  it('no registries, or a registry prefix without a trailing slash', () => {
    expect(() => newChart({ allowedRegistries: [] })).toThrow(/allowedRegistries must list at least one/);
    expect(() => newChart({ allowedRegistries: ['registry.example.com'] })).toThrow(
      /must end with "\/".*registry.example.com.attacker.example/,
    );
  });

  it('no runtime class', () => {
    expect(() => newChart({ runtimeClassName: '' })).toThrow(/runtimeClassName is required/);
  });

  it('a workload outside any configured scope', () => {
    const chart = new Chart(Testing.app(), 'plain', { namespace: 'team' });
    expect(() => new Deployment(chart, 'web', { containers: [serviceContainer()] })).toThrow(
      /no Palisade settings in scope. Create it inside a PalisadeChart, or call configurePalisade/,
    );
  });

  it('a workload in a plain chart without a namespace', () => {
    const chart = new Chart(Testing.app(), 'plain');
    configurePalisade(chart, SETTINGS);
    expect(() => new ServiceAccount(chart, 'sa')).toThrow(
      /- disallow-default-namespace: resource must set metadata.namespace/,
    );
  });
});
