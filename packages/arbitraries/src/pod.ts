import fc from 'fast-check';

/**
 * Arbitraries of Pods covering every field the Pod Security Standards read (see shared/docs/pss-reference.md):
 * pod- and container-level settings and their overrides, init (including native sidecar), regular and ephemeral
 * containers, Windows pods, `hostUsers: false`, empty strings versus absent fields versus `null`, case variants,
 * every volume type (and volumes with no source, unknown keys or several sources), probe and lifecycle hosts,
 * host ports around a range's bounds, sysctls, AppArmor fields and annotations.
 *
 * Values are always of the right JSON type for the Kubernetes API (a string where a string goes), so the upstream
 * evaluator, which decodes into typed Go structs, sees the same object as Palisade; keys the API does not know are
 * generated on purpose (volumes), since the apiserver drops them.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Mostly absent, sometimes one of `values` (null included where the API allows it). */
const sometimes = <T extends Json>(values: readonly T[], absentWeight = 3): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { weight: absentWeight, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom(...values) },
  );

/** An object from optional fields, dropping absent ones (JSON has no undefined). */
function object(fields: Record<string, fc.Arbitrary<Json | undefined>>): fc.Arbitrary<JsonObject> {
  return fc.record(fields).map((record) => {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
    return out;
  });
}

const optionalObject = (fields: Record<string, fc.Arbitrary<Json | undefined>>, absentWeight = 3) =>
  fc.oneof(
    { weight: absentWeight, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: object(fields) },
  );

const bool = (absentWeight = 3) => sometimes([true, false, null] as const, absentWeight);

const seccompProfile = optionalObject({
  type: sometimes(['RuntimeDefault', 'Localhost', 'Unconfined', 'runtimedefault', '', null] as const, 1),
  localhostProfile: sometimes(['profiles/audit.json'] as const),
});

const appArmorProfile = optionalObject({
  type: sometimes(['RuntimeDefault', 'Localhost', 'Unconfined', 'unconfined', '', null] as const, 1),
  localhostProfile: sometimes(['k8s-apparmor'] as const),
});

const seLinuxOptions = optionalObject({
  type: sometimes([
    'container_t',
    'container_init_t',
    'container_kvm_t',
    'container_engine_t',
    'spc_t',
    '',
    null,
  ] as const),
  user: sometimes(['system_u', '', null] as const),
  role: sometimes(['system_r', '', null] as const),
  level: sometimes(['s0:c123,c456'] as const),
});

const windowsOptions = optionalObject({
  hostProcess: bool(1),
  runAsUserName: sometimes(['ContainerUser'] as const),
});

export const CAPABILITIES = [
  'NET_BIND_SERVICE',
  'CHOWN',
  'KILL',
  'SYS_CHROOT',
  'NET_RAW',
  'SYS_ADMIN',
  'ALL',
  'all',
  'chown',
  '',
];

const capabilityList = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 3, arbitrary: fc.uniqueArray(fc.constantFrom(...CAPABILITIES), { maxLength: 3 }) },
);

const containerSecurityContext = optionalObject(
  {
    privileged: bool(),
    allowPrivilegeEscalation: bool(1),
    runAsNonRoot: bool(1),
    runAsUser: sometimes([0, 1000, 65534, null] as const, 2),
    procMount: sometimes(['Default', 'Unmasked', '', null] as const),
    readOnlyRootFilesystem: bool(),
    capabilities: optionalObject({ add: capabilityList, drop: capabilityList }, 1),
    seccompProfile,
    appArmorProfile,
    seLinuxOptions,
    windowsOptions,
  },
  1,
);

const host = sometimes(['', '169.254.169.254', 'localhost', null] as const, 2);
const handler = optionalObject({
  httpGet: optionalObject({ port: fc.constant(8080), host, path: sometimes(['/healthz'] as const) }, 1),
  tcpSocket: optionalObject({ port: fc.constant(8080), host }, 2),
});
const lifecycle = optionalObject({ postStart: handler, preStop: handler });

const ports = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.array(
      object({
        containerPort: fc.constantFrom(80, 8080, 53),
        hostPort: sometimes([0, 80, 8080, 8999, 9000, 9050, 9099, 9100, null] as const, 2),
        protocol: sometimes(['TCP', 'UDP'] as const),
      }),
      { maxLength: 2 },
    ),
  },
);

const IMAGES = [
  'registry.example.com/app:1.0',
  'nginx',
  'nginx:latest',
  `registry.example.com:5000/app@sha256:${'a'.repeat(64)}`,
];

function container(name: string, kind: 'init' | 'regular' | 'ephemeral'): fc.Arbitrary<JsonObject> {
  return object({
    name: fc.constant(name),
    image: fc.constantFrom(...IMAGES),
    restartPolicy: kind === 'init' ? sometimes(['Always'] as const, 2) : fc.constant(undefined),
    targetContainerName: kind === 'ephemeral' ? sometimes(['c0'] as const, 1) : fc.constant(undefined),
    ports: kind === 'ephemeral' ? fc.constant(undefined) : ports,
    securityContext: containerSecurityContext,
    livenessProbe: kind === 'regular' ? handler : fc.constant(undefined),
    readinessProbe: kind === 'regular' ? handler : fc.constant(undefined),
    startupProbe: kind === 'ephemeral' ? fc.constant(undefined) : handler,
    lifecycle,
  });
}

const containerList = (prefix: string, kind: 'init' | 'regular' | 'ephemeral', min: number, max: number) =>
  fc
    .integer({ min, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => container(`${prefix}${i}`, kind))));

export const VOLUME_SOURCES: Record<string, Json> = {
  configMap: { name: 'cfg' },
  csi: { driver: 'csi.example.com' },
  downwardAPI: {},
  emptyDir: {},
  ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } },
  image: { reference: 'registry.example.com/data:1' },
  persistentVolumeClaim: { claimName: 'data' },
  projected: { sources: [] },
  secret: { secretName: 's' },
  hostPath: { path: '/var/log' },
  gcePersistentDisk: { pdName: 'disk' },
  awsElasticBlockStore: { volumeID: 'vol' },
  gitRepo: { repository: 'https://example.com/r.git' },
  nfs: { server: 'nfs.example.com', path: '/' },
  iscsi: { targetPortal: '10.0.0.1:3260', iqn: 'iqn.2001-04.com.example:storage', lun: 0 },
  glusterfs: { endpoints: 'gluster', path: 'vol' },
  rbd: { monitors: ['10.0.0.1:6789'], image: 'foo' },
  flexVolume: { driver: 'example/lvm' },
  cinder: { volumeID: 'vol' },
  cephfs: { monitors: ['10.0.0.1:6789'] },
  flocker: { datasetName: 'ds' },
  fc: { wwids: ['3600508b400105e210000900000490000'] },
  azureFile: { secretName: 's', shareName: 'share' },
  vsphereVolume: { volumePath: '[ds] vol.vmdk' },
  quobyte: { registry: 'q:7861', volume: 'v' },
  azureDisk: { diskName: 'd', diskURI: 'https://example.com/d.vhd' },
  photonPersistentDisk: { pdID: 'pd' },
  portworxVolume: { volumeID: 'vol' },
  scaleIO: { gateway: 'https://gw', system: 'sys', secretRef: { name: 's' } },
  storageos: { volumeName: 'v' },
};

/**
 * Keys the Volume API does not know: typos, case variants of real sources and made-up sources. The apiserver
 * drops them when it decodes the Pod, so a volume with only these has no source (and is defaulted to emptyDir).
 */
export const UNKNOWN_VOLUME_KEYS: Record<string, Json> = {
  emptydir: {},
  HostPath: { path: '/' },
  NFS: { server: 'nfs.example.com', path: '/' },
  someFutureSource: { driver: 'x' },
};

const VOLUME_KEYS = { ...VOLUME_SOURCES, ...UNKNOWN_VOLUME_KEYS };

/**
 * A volume with 0 to 3 keys among the known sources and the unknown keys: no source at all, only unknown keys,
 * several sources (allowed and restricted mixed), and sources set to null (absent to the API).
 */
const volume = (i: number) =>
  fc
    .uniqueArray(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...Object.keys(VOLUME_SOURCES)) },
        { weight: 1, arbitrary: fc.constantFrom(...Object.keys(UNKNOWN_VOLUME_KEYS)) },
      ),
      { minLength: 0, maxLength: 3 },
    )
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          fc
            .oneof(
              { weight: 4, arbitrary: fc.constant(VOLUME_KEYS[key] as Json) },
              { weight: 1, arbitrary: fc.constant(null) },
            )
            .map((value) => [key, value] as const),
        ),
      ),
    )
    .map((pairs) => {
      const out: JsonObject = { name: `v${i}` };
      for (const [key, value] of pairs) out[key] = value;
      return out;
    });

const volumes = fc.oneof(
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: 0, max: 3 })
      .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => volume(i)))),
  },
);

export const SYSCTLS = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_rmem',
  'net.ipv4.tcp_notsent_lowat',
  'net.ipv4.tcp_slow_start_after_idle',
  'kernel.msgmax',
  'net.core.somaxconn',
  '',
];

const podSecurityContext = optionalObject(
  {
    runAsNonRoot: bool(1),
    runAsUser: sometimes([0, 1000, null] as const, 2),
    seccompProfile,
    appArmorProfile,
    seLinuxOptions,
    windowsOptions,
    sysctls: fc.oneof(
      { weight: 3, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.array(object({ name: fc.constantFrom(...SYSCTLS), value: fc.constant('1') }), {
          maxLength: 2,
        }),
      },
    ),
  },
  1,
);

const ANNOTATION_KEYS = [
  'container.apparmor.security.beta.kubernetes.io/c0',
  'container.apparmor.security.beta.kubernetes.io/i0',
  'container.apparmor.security.beta.kubernetes.io/other',
  'seccomp.security.alpha.kubernetes.io/pod',
  'container.seccomp.security.alpha.kubernetes.io/c0',
  'container.seccomp.security.alpha.kubernetes.io/e0',
  'example.com/owner',
];
const ANNOTATION_VALUES = [
  '',
  'runtime/default',
  'docker/default',
  'localhost/profile',
  'unconfined',
  'Unconfined',
];

const annotations = fc.oneof(
  { weight: 3, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(fc.constantFrom(...ANNOTATION_KEYS), { minLength: 1, maxLength: 3 })
      .chain((keys) =>
        fc.tuple(...keys.map((k) => fc.constantFrom(...ANNOTATION_VALUES).map((v) => [k, v] as const))),
      )
      .map((pairs) => Object.fromEntries(pairs) as JsonObject),
  },
);

export const podSpecArbitrary: fc.Arbitrary<JsonObject> = object({
  hostNetwork: bool(4),
  hostPID: bool(6),
  hostIPC: bool(6),
  hostUsers: sometimes([false, true] as const, 3),
  os: sometimes([{ name: 'windows' }, { name: 'linux' }, { name: 'Windows' }] as const, 5),
  securityContext: podSecurityContext,
  initContainers: fc.oneof(
    { weight: 3, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: containerList('i', 'init', 1, 2) },
  ),
  containers: containerList('c', 'regular', 1, 2),
  ephemeralContainers: fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: containerList('e', 'ephemeral', 1, 1) },
  ),
  volumes,
});

/** A Pod object with a name, annotations sometimes, and a generated spec. */
export const podArbitrary: fc.Arbitrary<JsonObject> = fc
  .tuple(fc.integer({ min: 0, max: 1_000_000 }), annotations, podSpecArbitrary)
  .map(([n, podAnnotations, spec]) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: podAnnotations ? { name: `pod-${n}`, annotations: podAnnotations } : { name: `pod-${n}` },
    spec,
  }));
