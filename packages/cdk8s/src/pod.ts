import { createHash } from 'node:crypto';
import { PalisadeConfigError } from './relax.js';
import type { ResolvedSettings } from './settings.js';

/** JSON values, for the few pass-through fields (affinity, projected sources) whose full typing adds nothing. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** A Kubernetes quantity, e.g. `100m`, `128Mi`, `1`. */
export type Quantity = string;

/**
 * Quantities per resource. `null` removes a default: for a required request or limit that breaks
 * `require-requests-limits`, which must then be relaxed.
 */
export interface ResourceQuantities {
  readonly cpu?: Quantity | null;
  readonly memory?: Quantity | null;
  readonly 'ephemeral-storage'?: Quantity | null;
}

/** Requests and limits, merged field by field over the chart defaults and the built-in ones. */
export interface ResourceOptions {
  readonly requests?: ResourceQuantities;
  readonly limits?: ResourceQuantities;
}

/**
 * The built-in resources: enough for a small service, and what `require-requests-limits` asks for by default (CPU
 * and memory requests, a memory limit). No CPU limit: CPU is compressible, a limit only throttles, and the policy
 * does not require one.
 */
export const DEFAULT_RESOURCES = {
  requests: { cpu: '100m', memory: '128Mi' },
  limits: { memory: '256Mi' },
} as const satisfies ResourceOptions;

export type Capability =
  | 'AUDIT_CONTROL'
  | 'AUDIT_READ'
  | 'AUDIT_WRITE'
  | 'BLOCK_SUSPEND'
  | 'BPF'
  | 'CHECKPOINT_RESTORE'
  | 'CHOWN'
  | 'DAC_OVERRIDE'
  | 'DAC_READ_SEARCH'
  | 'FOWNER'
  | 'FSETID'
  | 'IPC_LOCK'
  | 'IPC_OWNER'
  | 'KILL'
  | 'LEASE'
  | 'LINUX_IMMUTABLE'
  | 'MAC_ADMIN'
  | 'MAC_OVERRIDE'
  | 'MKNOD'
  | 'NET_ADMIN'
  | 'NET_BIND_SERVICE'
  | 'NET_BROADCAST'
  | 'NET_RAW'
  | 'PERFMON'
  | 'SETFCAP'
  | 'SETGID'
  | 'SETPCAP'
  | 'SETUID'
  | 'SYS_ADMIN'
  | 'SYS_BOOT'
  | 'SYS_CHROOT'
  | 'SYS_MODULE'
  | 'SYS_NICE'
  | 'SYS_PACCT'
  | 'SYS_PTRACE'
  | 'SYS_RAWIO'
  | 'SYS_RESOURCE'
  | 'SYS_TIME'
  | 'SYS_TTY_CONFIG'
  | 'SYSLOG'
  | 'WAKE_ALARM';

export type SeccompProfile =
  | { readonly type: 'RuntimeDefault' }
  | { readonly type: 'Localhost'; readonly localhostProfile: string }
  | { readonly type: 'Unconfined' };

export interface ProbeTiming {
  readonly initialDelaySeconds?: number;
  readonly periodSeconds?: number;
  readonly timeoutSeconds?: number;
  readonly successThreshold?: number;
  readonly failureThreshold?: number;
  readonly terminationGracePeriodSeconds?: number;
}

export type ProbeAction =
  | {
      readonly httpGet: {
        readonly path: string;
        readonly port: number | string;
        readonly scheme?: 'HTTP' | 'HTTPS';
        readonly httpHeaders?: readonly { readonly name: string; readonly value: string }[];
      };
    }
  | { readonly tcpSocket: { readonly port: number | string } }
  | { readonly exec: { readonly command: readonly string[] } }
  | { readonly grpc: { readonly port: number; readonly service?: string } };

/** A liveness, readiness or startup probe. There is no `host` field: probing another host breaks `disallow-host-probes`. */
export type Probe = ProbeAction & ProbeTiming;

/** Shorthands for the common probes. */
export const Probe = {
  /** An HTTP GET on the container's own port: healthy on 200–399. */
  http(path: string, port: number | string, timing: ProbeTiming = {}): Probe {
    return { httpGet: { path, port }, ...timing };
  },
  /** A TCP connect to the container's own port. */
  tcp(port: number | string, timing: ProbeTiming = {}): Probe {
    return { tcpSocket: { port }, ...timing };
  },
  /** A command run in the container: healthy on exit status 0. */
  exec(command: readonly string[], timing: ProbeTiming = {}): Probe {
    return { exec: { command }, ...timing };
  },
  /** A gRPC health check (grpc.health.v1). */
  grpc(port: number, timing: ProbeTiming & { readonly service?: string } = {}): Probe {
    const { service, ...rest } = timing;
    return { grpc: { port, ...(service === undefined ? {} : { service }) }, ...rest };
  },
};

export type EnvValueSource =
  | { readonly secretKeyRef: { readonly name: string; readonly key: string; readonly optional?: boolean } }
  | { readonly configMapKeyRef: { readonly name: string; readonly key: string; readonly optional?: boolean } }
  | { readonly fieldRef: { readonly fieldPath: string } }
  | {
      readonly resourceFieldRef: {
        readonly resource: string;
        readonly containerName?: string;
        readonly divisor?: Quantity;
      };
    };

export type EnvFromSource =
  | {
      readonly configMapRef: { readonly name: string; readonly optional?: boolean };
      readonly prefix?: string;
    }
  | { readonly secretRef: { readonly name: string; readonly optional?: boolean }; readonly prefix?: string };

export interface ContainerPort {
  readonly containerPort: number;
  readonly name?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** Binds the port on the node, which breaks `disallow-host-ports`. @default - none (satisfies `disallow-host-ports`) */
  readonly hostPort?: number;
}

export interface VolumeMount {
  /** The name of a pod volume, or of a StatefulSet volume claim template. */
  readonly volume: string;
  readonly mountPath: string;
  /** @default false */
  readonly readOnly?: boolean;
  readonly subPath?: string;
}

/** A writable directory backed by its own emptyDir, so the root filesystem can stay read-only. */
export interface WritablePath {
  readonly path: string;
  /**
   * Cap on what the directory may hold, so a runaway writer is evicted instead of filling the node's disk.
   *
   * @default '256Mi'
   */
  readonly sizeLimit?: Quantity;
  /** `Memory` for a tmpfs (counted against the memory limit). @default - node disk */
  readonly medium?: 'Memory';
}

export const DEFAULT_WRITABLE_PATHS: readonly string[] = ['/tmp'];
export const DEFAULT_WRITABLE_SIZE_LIMIT = '256Mi';

/** What every container accepts. Security settings default to the restricted profile's requirements. */
export interface ContainerOptions {
  /**
   * DNS label, unique in the pod.
   *
   * @default 'main' when the pod has one container (required otherwise)
   */
  readonly name?: string;
  /**
   * The image, fully qualified and pinned: it must start with one of the chart's `allowedRegistries`
   * (`restrict-image-registries`), name a tag other than latest (`disallow-latest-tag`) and carry a sha256 digest
   * (`require-image-digest`), e.g. `registry.example.com/shop/web:1.4.2@sha256:<64 hex>`. Checked at construction.
   */
  readonly image: string;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly workingDir?: string;
  /** Environment variables: a literal value or a reference. */
  readonly env?: Readonly<Record<string, string | { readonly valueFrom: EnvValueSource }>>;
  readonly envFrom?: readonly EnvFromSource[];
  readonly ports?: readonly ContainerPort[];
  /**
   * Merged field by field over the chart's `defaultResources` and the built-in defaults (requests cpu 100m, memory
   * 128Mi; limit memory 256Mi). Satisfies `require-requests-limits`.
   *
   * @default - the chart defaults
   */
  readonly resources?: ResourceOptions;
  readonly volumeMounts?: readonly VolumeMount[];
  /**
   * Directories the process writes to, each backed by its own emptyDir, so the root filesystem can stay read-only
   * (`require-ro-rootfs`) while the application still has a scratch space.
   *
   * @default ['/tmp']
   */
  readonly writablePaths?: readonly (string | WritablePath)[];
  /**
   * `securityContext.readOnlyRootFilesystem`. Satisfies `require-ro-rootfs`; `false` breaks it (prefer
   * `writablePaths`).
   *
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * `securityContext.allowPrivilegeEscalation`. Satisfies `disallow-privilege-escalation`; `true` breaks it.
   *
   * @default false
   */
  readonly allowPrivilegeEscalation?: boolean;
  /**
   * `securityContext.privileged` (left unset, which means false). Satisfies `disallow-privileged-containers`. `true`
   * breaks it and, since a privileged container
   * can always escalate (the API server rejects `allowPrivilegeEscalation: false` with it),
   * `disallow-privilege-escalation`.
   *
   * @default false
   */
  readonly privileged?: boolean;
  /**
   * Capabilities added back after `drop: [ALL]`, which is always set (satisfies `disallow-capabilities-strict`).
   * NET_BIND_SERVICE is allowed; anything else breaks `disallow-capabilities-strict` (and, beyond the baseline
   * set, `disallow-capabilities`, which the same relaxation covers).
   *
   * @default - none
   */
  readonly addCapabilities?: readonly Capability[];
  /**
   * A UID for this container only (the pod's applies otherwise). Must be non-zero (`require-run-as-non-root-user`);
   * 0 is refused outright. The container also always sets `runAsNonRoot: true` (`require-run-as-nonroot`).
   *
   * @default - the pod's runAsUser
   */
  readonly runAsUser?: number;
  /** @default - the pod's runAsGroup */
  readonly runAsGroup?: number;
  /**
   * A seccomp profile for this container only. `Unconfined` breaks `restrict-seccomp` and `restrict-seccomp-strict`.
   *
   * @default - the pod's (RuntimeDefault)
   */
  readonly seccompProfile?: SeccompProfile;
  /** @default - the Kubernetes default (IfNotPresent for pinned images) */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
}

/** A container of a long-running workload (Deployment, StatefulSet, DaemonSet, Pod). */
export interface ServiceContainer extends ContainerOptions {
  /**
   * Restarts the container when it hangs. Required (`require-probes`); `false` states there is none, which breaks
   * `require-probes` and must be relaxed.
   */
  readonly livenessProbe: Probe | false;
  /**
   * Sends traffic only when the container can serve it. Required (`require-probes`); `false` states there is none,
   * which breaks `require-probes` and must be relaxed.
   */
  readonly readinessProbe: Probe | false;
  /** @default - none */
  readonly startupProbe?: Probe;
}

/** A container of a Job or CronJob: it runs to completion, so probes are optional (`require-probes` exempts it). */
export interface BatchContainer extends ContainerOptions {
  /** @default - none */
  readonly livenessProbe?: Probe;
  /** @default - none */
  readonly readinessProbe?: Probe;
  /** @default - none */
  readonly startupProbe?: Probe;
}

export type HostPathType =
  | ''
  | 'DirectoryOrCreate'
  | 'Directory'
  | 'FileOrCreate'
  | 'File'
  | 'Socket'
  | 'CharDevice'
  | 'BlockDevice';

interface KeyToPath {
  readonly key: string;
  readonly path: string;
  readonly mode?: number;
}

/**
 * A pod volume. The types allowed by the restricted profile, plus `hostPath`, which breaks `restrict-volume-types`
 * (and `disallow-host-path` at baseline) and must be relaxed.
 */
export type Volume = { readonly name: string } & (
  | { readonly emptyDir: { readonly medium?: 'Memory'; readonly sizeLimit?: Quantity } }
  | {
      readonly configMap: {
        readonly name: string;
        readonly items?: readonly KeyToPath[];
        readonly defaultMode?: number;
        readonly optional?: boolean;
      };
    }
  | {
      readonly secret: {
        readonly secretName: string;
        readonly items?: readonly KeyToPath[];
        readonly defaultMode?: number;
        readonly optional?: boolean;
      };
    }
  | { readonly persistentVolumeClaim: { readonly claimName: string; readonly readOnly?: boolean } }
  | { readonly projected: { readonly sources: readonly JsonObject[]; readonly defaultMode?: number } }
  | { readonly downwardAPI: { readonly items: readonly JsonObject[]; readonly defaultMode?: number } }
  | {
      readonly csi: {
        readonly driver: string;
        readonly readOnly?: boolean;
        readonly volumeAttributes?: Readonly<Record<string, string>>;
      };
    }
  | { readonly hostPath: { readonly path: string; readonly type?: HostPathType } }
);

export interface Toleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

export interface PodSecurityOptions {
  /**
   * `spec.securityContext.runAsUser`. Must be non-zero (`require-run-as-non-root-user`); the pod also always sets
   * `runAsNonRoot: true` (`require-run-as-nonroot`).
   *
   * @default - the chart's runAsUser (65532)
   */
  readonly runAsUser?: number;
  /** @default - the chart's runAsGroup (65532) */
  readonly runAsGroup?: number;
  /** @default - runAsGroup */
  readonly fsGroup?: number;
  readonly supplementalGroups?: readonly number[];
  /**
   * `spec.securityContext.seccompProfile`. The default satisfies `restrict-seccomp-strict`; `Unconfined` breaks it
   * (and `restrict-seccomp`, which the same relaxation covers).
   *
   * @default { type: 'RuntimeDefault' }
   */
  readonly seccompProfile?: SeccompProfile;
  /** Unsafe sysctls break `restrict-sysctls`. @default - none */
  readonly sysctls?: readonly { readonly name: string; readonly value: string }[];
}

/** Something with a name, such as a Palisade `ServiceAccount`. */
export interface Named {
  readonly name: string;
}

/** The pod template options every workload accepts. */
export interface PodOptions<C extends ContainerOptions> {
  readonly containers: readonly [C, ...C[]];
  /** Run to completion before the containers start; they get the same security defaults. @default - none */
  readonly initContainers?: readonly ContainerOptions[];
  /**
   * Pod volumes. Those of `Volume` except `hostPath` satisfy `restrict-volume-types`.
   *
   * @default - only the emptyDirs of `writablePaths`
   */
  readonly volumes?: readonly Volume[];
  /** A ServiceAccount (construct or name). @default - the namespace's default ServiceAccount */
  readonly serviceAccount?: Named | string;
  /**
   * `spec.automountServiceAccountToken`. Satisfies `disallow-service-account-token-automount`; `true` breaks it (a
   * workload that calls the API should prefer a projected token volume).
   *
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The RuntimeClass. Satisfies `require-runtime-class` when it is one of the chart's `allowedRuntimeClasses`;
   * another class, or `null` (the node's default runtime), breaks it.
   *
   * @default - the chart's runtimeClassName
   */
  readonly runtimeClassName?: string | null;
  readonly securityContext?: PodSecurityOptions;
  /** Breaks `disallow-host-namespaces`. @default false */
  readonly hostNetwork?: boolean;
  /** Breaks `disallow-host-namespaces`. @default false */
  readonly hostPID?: boolean;
  /** Breaks `disallow-host-namespaces`. @default false */
  readonly hostIPC?: boolean;
  readonly nodeSelector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Toleration[];
  readonly affinity?: JsonObject;
  readonly priorityClassName?: string;
  readonly terminationGracePeriodSeconds?: number;
  /** Extra labels on the pods (the selector label is always added). */
  readonly podLabels?: Readonly<Record<string, string>>;
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** What the pod builder needs from the workload around it. */
export interface PodContext {
  readonly settings: ResolvedSettings;
  /** For error messages: the resource and construct path. */
  readonly where: string;
  readonly selectorLabels: Readonly<Record<string, string>>;
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  /** Volume names provided outside `spec.volumes` (StatefulSet volume claim templates). */
  readonly extraVolumeNames?: readonly string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[numkMGTPE]|[KMGTPE]i)?$/;

function fail(where: string, message: string): never {
  throw new PalisadeConfigError(`${where}: ${message}`);
}

/** A DNS label derived from `text`; long ones keep a hash suffix so they stay unique. */
export function toDnsLabel(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > 0 && slug.length <= 63) return slug;
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return `${slug.slice(0, 54).replace(/-+$/, '')}-${hash}`.replace(/^-/, 'v-');
}

function checkUid(value: number | undefined, what: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0)
    fail(where, `${what} must be a non-negative integer, got ${value}`);
  if (value === 0) {
    fail(
      where,
      `${what} must not be 0: Palisade constructs never run as root (policies require-run-as-non-root-user and ` +
        'require-run-as-nonroot); build the image to run as a non-root user',
    );
  }
  return value;
}

function checkQuantity(value: Quantity, what: string, where: string): Quantity {
  if (typeof value !== 'string' || !QUANTITY.test(value)) {
    fail(where, `${what} "${String(value)}" is not a Kubernetes quantity (e.g. 100m, 128Mi, 1)`);
  }
  return value;
}

function mergeQuantities(
  layers: readonly (ResourceQuantities | undefined)[],
  what: string,
  where: string,
): Record<string, string> | undefined {
  const out: Record<string, string | null> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      if (value === undefined) continue;
      out[key] = value === null ? null : checkQuantity(value, `${what}.${key}`, where);
    }
  }
  const kept = Object.entries(out).filter((e): e is [string, string] => e[1] !== null);
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

function resources(options: ResourceOptions | undefined, settings: ResolvedSettings, where: string) {
  const layers = [DEFAULT_RESOURCES, settings.defaultResources, options];
  const requests = mergeQuantities(
    layers.map((l) => l?.requests),
    'resources.requests',
    where,
  );
  const limits = mergeQuantities(
    layers.map((l) => l?.limits),
    'resources.limits',
    where,
  );
  return { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) };
}

function env(values: ContainerOptions['env']): unknown[] | undefined {
  if (!values) return undefined;
  return Object.entries(values).map(([name, value]) =>
    typeof value === 'string' ? { name, value } : { name, valueFrom: value.valueFrom },
  );
}

function writablePath(entry: string | WritablePath): WritablePath {
  return typeof entry === 'string' ? { path: entry } : entry;
}

function checkProbe(probe: Probe | false | undefined, what: string, where: string): Probe | undefined {
  if (probe === undefined || probe === false) return undefined;
  if ('httpGet' in probe && !probe.httpGet.path.startsWith('/')) {
    fail(where, `${what}.httpGet.path "${probe.httpGet.path}" must start with "/"`);
  }
  if (
    'host' in probe ||
    ('httpGet' in probe && 'host' in probe.httpGet) ||
    ('tcpSocket' in probe && 'host' in probe.tcpSocket)
  ) {
    // Not in the types; a JavaScript caller could still pass it.
    fail(where, `${what} must not set host: probes target the pod itself (policy disallow-host-probes)`);
  }
  return probe;
}

interface BuiltContainer {
  readonly container: Record<string, unknown>;
  readonly volumes: readonly Record<string, unknown>[];
}

function buildContainer(
  options: ContainerOptions & {
    readonly livenessProbe?: Probe | false;
    readonly readinessProbe?: Probe | false;
    readonly startupProbe?: Probe;
  },
  name: string,
  context: PodContext,
  volumeNames: ReadonlySet<string>,
  isInit: boolean,
): BuiltContainer {
  const where = `${context.where}: container "${name}"`;
  if (!DNS_LABEL.test(name) || name.length > 63) fail(where, 'the name must be a DNS label (a-z, 0-9, "-")');
  if (typeof options.image !== 'string' || options.image.trim() === '' || /\s/.test(options.image)) {
    fail(where, `image ${JSON.stringify(options.image)} must be a non-empty image reference without spaces`);
  }
  checkUid(options.runAsUser, 'runAsUser', where);
  checkUid(options.runAsGroup, 'runAsGroup', where);
  if (options.privileged === true && options.allowPrivilegeEscalation === false) {
    fail(
      where,
      'privileged: true cannot be combined with allowPrivilegeEscalation: false (the API server rejects it)',
    );
  }

  const mounts: Record<string, unknown>[] = [];
  const mountPaths = new Set<string>();
  const addMount = (path: string, mount: Record<string, unknown>) => {
    if (!path.startsWith('/')) fail(where, `mount path "${path}" must be absolute`);
    const normalised = path.replace(/\/+$/, '') || '/';
    if (mountPaths.has(normalised)) fail(where, `two volumes are mounted at "${path}"`);
    mountPaths.add(normalised);
    mounts.push(mount);
  };
  const volumes: Record<string, unknown>[] = [];
  for (const entry of options.writablePaths ?? DEFAULT_WRITABLE_PATHS) {
    const writable = writablePath(entry);
    if (writable.path === '/')
      fail(where, 'writablePaths cannot include "/": set readOnlyRootFilesystem: false instead');
    const volume = toDnsLabel(`${name}-${writable.path}`);
    if (volumeNames.has(volume))
      fail(where, `the writable path "${writable.path}" needs volume name "${volume}", which is taken`);
    const sizeLimit = checkQuantity(writable.sizeLimit ?? DEFAULT_WRITABLE_SIZE_LIMIT, 'sizeLimit', where);
    volumes.push({
      name: volume,
      emptyDir: { sizeLimit, ...(writable.medium ? { medium: writable.medium } : {}) },
    });
    addMount(writable.path, { name: volume, mountPath: writable.path });
  }
  for (const mount of options.volumeMounts ?? []) {
    if (!volumeNames.has(mount.volume)) {
      fail(where, `mounts volume "${mount.volume}", which the pod does not define (add it to volumes)`);
    }
    addMount(mount.mountPath, {
      name: mount.volume,
      mountPath: mount.mountPath,
      ...(mount.readOnly === undefined ? {} : { readOnly: mount.readOnly }),
      ...(mount.subPath === undefined ? {} : { subPath: mount.subPath }),
    });
  }

  const ports = (options.ports ?? []).map((p) => {
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535) {
      fail(where, `containerPort ${p.containerPort} must be between 1 and 65535`);
    }
    return {
      containerPort: p.containerPort,
      ...(p.name === undefined ? {} : { name: p.name }),
      protocol: p.protocol ?? 'TCP',
      ...(p.hostPort === undefined ? {} : { hostPort: p.hostPort }),
    };
  });

  const privileged = options.privileged === true;
  const securityContext = {
    // A privileged container can always escalate; the API server rejects false there, so leave it unset.
    allowPrivilegeEscalation: privileged ? undefined : (options.allowPrivilegeEscalation ?? false),
    privileged: privileged ? true : undefined,
    capabilities: {
      drop: ['ALL'],
      ...(options.addCapabilities && options.addCapabilities.length > 0
        ? { add: [...new Set(options.addCapabilities)] }
        : {}),
    },
    readOnlyRootFilesystem: options.readOnlyRootFilesystem ?? true,
    // Repeated on the container (the pod sets it too) so the guarantee survives copying the container elsewhere.
    runAsNonRoot: true,
    runAsUser: options.runAsUser,
    runAsGroup: options.runAsGroup,
    seccompProfile: options.seccompProfile,
  };

  const probes = isInit
    ? {}
    : {
        livenessProbe: checkProbe(options.livenessProbe, 'livenessProbe', where),
        readinessProbe: checkProbe(options.readinessProbe, 'readinessProbe', where),
        startupProbe: checkProbe(options.startupProbe, 'startupProbe', where),
      };

  const container: Record<string, unknown> = {
    name,
    image: options.image,
    command: options.command ? [...options.command] : undefined,
    args: options.args ? [...options.args] : undefined,
    workingDir: options.workingDir,
    env: env(options.env),
    envFrom: options.envFrom ? [...options.envFrom] : undefined,
    ports: ports.length > 0 ? ports : undefined,
    resources: resources(options.resources, context.settings, where),
    securityContext,
    volumeMounts: mounts,
    imagePullPolicy: options.imagePullPolicy,
    ...probes,
  };
  return { container: stripUndefined(container), volumes };
}

/** Drops undefined properties (shallowly), so the object compares and snapshots cleanly. */
function stripUndefined(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined) continue;
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? stripUndefined(value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** The pod template (metadata and spec) of a workload, secure by default. */
export function buildPodTemplate<C extends ContainerOptions>(
  options: PodOptions<C>,
  context: PodContext,
): { metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  const { settings, where } = context;
  if (!Array.isArray(options.containers) || options.containers.length === 0) {
    fail(where, 'a pod needs at least one container');
  }
  const security = options.securityContext ?? {};
  const runAsUser = checkUid(security.runAsUser, 'runAsUser', where) ?? settings.runAsUser;
  const runAsGroup = checkUid(security.runAsGroup, 'runAsGroup', where) ?? settings.runAsGroup;
  const fsGroup = checkUid(security.fsGroup, 'fsGroup', where) ?? runAsGroup;

  const userVolumes = (options.volumes ?? []).map((v) => {
    if (!DNS_LABEL.test(v.name) || v.name.length > 63)
      fail(where, `volume name "${v.name}" must be a DNS label`);
    return { ...v };
  });
  const volumeNames = new Set([...userVolumes.map((v) => v.name), ...(context.extraVolumeNames ?? [])]);
  if (volumeNames.size !== userVolumes.length + (context.extraVolumeNames?.length ?? 0)) {
    fail(where, 'volume names must be unique');
  }

  const single = options.containers.length === 1 && (options.initContainers?.length ?? 0) === 0;
  const containerNames = new Set<string>();
  const nameOf = (c: ContainerOptions, kind: string): string => {
    const name = c.name ?? (single ? 'main' : undefined);
    if (name === undefined) fail(where, `every ${kind} needs a name when the pod has several containers`);
    if (containerNames.has(name)) fail(where, `two containers are named "${name}"`);
    containerNames.add(name);
    return name;
  };
  const generated: Record<string, unknown>[] = [];
  const build = (c: ContainerOptions, kind: string, isInit: boolean) => {
    const built = buildContainer(c, nameOf(c, kind), context, volumeNames, isInit);
    for (const v of built.volumes) {
      const name = String(v.name);
      if (volumeNames.has(name)) fail(where, `volume name "${name}" is used twice`);
      volumeNames.add(name);
      generated.push(v);
    }
    return built.container;
  };
  const initContainers = (options.initContainers ?? []).map((c) => build(c, 'init container', true));
  const containers = options.containers.map((c) => build(c, 'container', false));

  const serviceAccountName =
    typeof options.serviceAccount === 'string' ? options.serviceAccount : options.serviceAccount?.name;
  const runtimeClassName =
    options.runtimeClassName === null ? undefined : (options.runtimeClassName ?? settings.runtimeClassName);

  const spec: Record<string, unknown> = {
    automountServiceAccountToken: options.automountServiceAccountToken ?? false,
    serviceAccountName,
    runtimeClassName,
    restartPolicy: context.restartPolicy,
    securityContext: {
      runAsNonRoot: true,
      runAsUser,
      runAsGroup,
      fsGroup,
      // Only chown volumes whose root does not match yet: large volumes otherwise slow every start.
      fsGroupChangePolicy: 'OnRootMismatch',
      supplementalGroups: security.supplementalGroups ? [...security.supplementalGroups] : undefined,
      seccompProfile: security.seccompProfile ?? { type: 'RuntimeDefault' },
      sysctls: security.sysctls ? [...security.sysctls] : undefined,
    },
    hostNetwork: options.hostNetwork ? true : undefined,
    hostPID: options.hostPID ? true : undefined,
    hostIPC: options.hostIPC ? true : undefined,
    nodeSelector: options.nodeSelector ? { ...options.nodeSelector } : undefined,
    tolerations: options.tolerations ? [...options.tolerations] : undefined,
    affinity: options.affinity,
    priorityClassName: options.priorityClassName,
    terminationGracePeriodSeconds: options.terminationGracePeriodSeconds,
    initContainers: initContainers.length > 0 ? initContainers : undefined,
    containers,
    volumes: [...userVolumes, ...generated],
  };
  const metadata = stripUndefined({
    labels: { ...options.podLabels, ...context.selectorLabels },
    annotations: options.podAnnotations ? { ...options.podAnnotations } : undefined,
  });
  return { metadata, spec: stripUndefined(spec) };
}
