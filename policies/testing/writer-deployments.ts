/**
 * Seeded, varied, realistic Deployments for the writer-style corpora (manifest-writers.ts): names, namespaces,
 * 1–3 containers, probes, resources, env, volumes, and about a third with findings (`:latest` or untagged images,
 * privileged, privilege escalation, added capabilities, missing requests, hostPath, host network). Plus what the API
 * server adds (defaults, server metadata, status), for the writers that print live objects (`kubectl get`).
 */

export type Manifest = Record<string, unknown>;

/** mulberry32: small, fast and the same on every platform, so a seed names one corpus. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Pick {
  <T>(choices: readonly T[]): T;
  chance: (probability: number) => boolean;
  int: (min: number, max: number) => number;
}

function picker(random: () => number): Pick {
  const pick = <T>(choices: readonly T[]): T => choices[Math.floor(random() * choices.length)] as T;
  return Object.assign(pick, {
    chance: (probability: number) => random() < probability,
    int: (min: number, max: number) => min + Math.floor(random() * (max - min + 1)),
  });
}

const APPS = [
  'checkout',
  'cart',
  'catalog',
  'payments',
  'search',
  'auth',
  'orders',
  'billing',
  'inventory',
  'mailer',
];
const COMPONENTS = ['api', 'web', 'worker', 'gateway', 'consumer', 'scheduler', 'cache'];
const NAMESPACES = [
  'shop',
  'payments',
  'team-a',
  'team-b',
  'platform',
  'monitoring',
  'ingress-nginx',
  'default',
];
const SIDECARS = [
  { name: 'proxy', image: 'registry.example.com/mesh/proxy:1.21.3', port: 15090 },
  { name: 'log-shipper', image: 'registry.example.com/obs/fluent-bit:3.0.4', port: 2020 },
  { name: 'metrics', image: 'registry.example.com/obs/exporter:0.15.0', port: 9100 },
] as const;
/** Values chosen to exercise quoting: strings that look like numbers, booleans, nulls, or hold `: ` and `#`. */
const ENV_VALUES = [
  'production',
  'info',
  'true',
  'false',
  '8080',
  '0.25',
  '',
  'on',
  'no',
  '~',
  'null',
  '*',
  'https://api.example.com:8443/v1',
  'postgres://db.shop.svc:5432/orders?sslmode=require',
  'key: value',
  'a #hash',
  '#000000',
  '--verbose',
  '- dash',
  '1h30m',
  '12:30',
  '2026-01-15',
  "it's quoted",
  'say "hi"',
  '@scope/pkg',
  'retry=3,backoff=2s',
  'Comma separated, list of, words that keeps going until it is longer than one line of eighty columns',
] as const;

function container(pick: Pick, name: string, image: string, port: number, findings: Set<string>): Manifest {
  const c: Manifest = { name, image };
  if (pick.chance(0.7)) c.imagePullPolicy = pick(['IfNotPresent', 'Always']);
  if (pick.chance(0.25)) c.command = ['/bin/sh', '-c', `exec /app/${name} --config /etc/${name}/config.yaml`];
  if (pick.chance(0.4)) c.args = [`--port=${port}`, '--log-level', pick(['info', 'debug', 'warn'])];
  if (pick.chance(0.8)) {
    c.ports = [{ name: pick(['http', 'metrics', 'grpc']), containerPort: port }];
    if (pick.chance(0.3)) (c.ports as Manifest[]).push({ containerPort: port + 1, protocol: 'TCP' });
  }
  const envCount = pick.int(0, 4);
  if (envCount > 0) {
    c.env = Array.from({ length: envCount }, (_, i): Manifest => {
      const envName = `${name.toUpperCase().replaceAll('-', '_')}_VAR_${i}`;
      const r = pick.int(0, 9);
      if (r === 0)
        return { name: envName, valueFrom: { secretKeyRef: { name: `${name}-secrets`, key: 'password' } } };
      if (r === 1) return { name: envName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } };
      return { name: envName, value: pick(ENV_VALUES) };
    });
  }
  const resources: Manifest = {};
  if (findings.has('missing-requests')) {
    if (pick.chance(0.5)) resources.limits = { memory: '512Mi' };
  } else {
    resources.requests = {
      cpu: pick(['50m', '100m', '250m', '1', '0.5']),
      memory: pick(['64Mi', '128Mi', '1Gi']),
    };
    if (pick.chance(0.8)) {
      resources.limits = pick.chance(0.3)
        ? { cpu: '2', memory: '1Gi' }
        : { memory: pick(['256Mi', '512Mi', '2Gi']) };
    }
  }
  c.resources = resources;
  if (pick.chance(0.8)) {
    c.livenessProbe = pick.chance(0.6)
      ? { httpGet: { path: '/healthz', port: pick([port, 'http']) }, initialDelaySeconds: pick.int(0, 30) }
      : { tcpSocket: { port } };
    c.readinessProbe = { httpGet: { path: '/ready', port }, periodSeconds: pick([5, 10]) };
  }
  const securityContext: Manifest = {
    allowPrivilegeEscalation: findings.has('escalation'),
    readOnlyRootFilesystem: pick.chance(0.9),
    capabilities: findings.has('capabilities') ? { add: ['NET_ADMIN'], drop: ['ALL'] } : { drop: ['ALL'] },
  };
  if (findings.has('privileged')) securityContext.privileged = true;
  if (pick.chance(0.5)) securityContext.runAsNonRoot = true;
  if (!findings.has('no-security-context')) c.securityContext = securityContext;
  c.volumeMounts = [{ name: 'tmp', mountPath: '/tmp' }];
  if (pick.chance(0.5))
    (c.volumeMounts as Manifest[]).push({ name: 'config', mountPath: `/etc/${name}`, readOnly: true });
  return c;
}

/** The `i`-th Deployment of a corpus, as its author wrote it (the input of `kubectl apply`, `helm`, `kustomize`). */
function deployment(pick: Pick, i: number): Manifest {
  const app = pick(APPS);
  const component = pick(COMPONENTS);
  const name = `${app}-${component}-${i}`;
  const namespace = pick(NAMESPACES);
  const findings = new Set<string>();
  if (pick.chance(0.35)) {
    for (const f of ['latest', 'privileged', 'escalation', 'capabilities', 'missing-requests', 'host-path']) {
      if (pick.chance(0.3)) findings.add(f);
    }
    if (findings.size === 0)
      findings.add(pick(['latest', 'missing-requests', 'no-security-context', 'host-network']));
  }
  const version = `${pick.int(0, 4)}.${pick.int(0, 20)}.${pick.int(0, 9)}`;
  const tag = findings.has('latest')
    ? pick([':latest', ''])
    : pick([
        `:${version}`,
        `:v${version}`,
        '@sha256:9b2c1f0e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c',
      ]);
  const registry =
    findings.has('latest') && pick.chance(0.5) ? 'docker.io/library/' : `registry.example.com/${app}/`;
  const labels: Manifest = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': app };
  if (pick.chance(0.5)) labels['app.kubernetes.io/version'] = pick([version, '2.0', '1']);
  if (pick.chance(0.4)) labels.tier = pick(['frontend', 'backend']);
  const metadata: Manifest = { name, namespace, labels };
  if (pick.chance(0.3)) {
    metadata.annotations = {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '9090',
      ...(pick.chance(0.5)
        ? {
            'example.com/description': `The ${app} ${component}: serves the shop's ${app} traffic for every region and is owned by team ${namespace}.`,
          }
        : {}),
    };
  }
  const containerCount = pick.int(1, 3);
  const containers = [container(pick, component, `${registry}${component}${tag}`, 8080, findings)];
  for (const sidecar of SIDECARS.slice(0, containerCount - 1)) {
    containers.push(container(pick, sidecar.name, sidecar.image, sidecar.port, new Set()));
  }
  const podSpec: Manifest = { automountServiceAccountToken: false };
  if (pick.chance(0.85)) podSpec.runtimeClassName = 'gvisor';
  if (findings.has('host-network')) podSpec.hostNetwork = true;
  if (pick.chance(0.5)) podSpec.serviceAccountName = name;
  if (!findings.has('no-security-context')) {
    podSpec.securityContext = {
      runAsNonRoot: true,
      runAsUser: pick([10001, 65532, 1000]),
      seccompProfile: { type: 'RuntimeDefault' },
      ...(pick.chance(0.3) ? { fsGroup: 2000 } : {}),
    };
  }
  podSpec.containers = containers;
  const volumes: Manifest[] = [{ name: 'tmp', emptyDir: {} }];
  if (containers.some((c) => (c.volumeMounts as Manifest[]).length > 1)) {
    volumes.push(
      pick.chance(0.5)
        ? { name: 'config', configMap: { name: `${name}-config` } }
        : { name: 'config', secret: { secretName: `${name}-config` } },
    );
  }
  if (findings.has('host-path')) volumes.push({ name: 'host-logs', hostPath: { path: '/var/log' } });
  podSpec.volumes = volumes;
  const selectorLabels = { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: pick.int(1, 5),
      selector: { matchLabels: selectorLabels },
      template: {
        metadata: { labels: { ...selectorLabels, ...(labels.tier ? { tier: labels.tier } : {}) } },
        spec: podSpec,
      },
    },
  };
}

/** `count` Deployments as their authors wrote them; the same `seed` gives the same Deployments. */
export function writerDeployments(count: number, seed: number): Manifest[] {
  const pick = picker(seededRandom(seed));
  return Array.from({ length: count }, (_, i) => deployment(pick, i));
}

function sortedJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedJson);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortedJson((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

function probeDefaults(probe: unknown): unknown {
  if (probe === undefined) return undefined;
  const p = probe as Manifest;
  return {
    failureThreshold: 3,
    periodSeconds: 10,
    successThreshold: 1,
    timeoutSeconds: 1,
    ...p,
    ...(p.httpGet ? { httpGet: { scheme: 'HTTP', ...(p.httpGet as Manifest) } } : {}),
  };
}

function containerDefaults(c: Manifest): Manifest {
  const image = String(c.image);
  const latest = image.endsWith(':latest') || !/[:@][^/]*$/.test(image);
  const out: Manifest = {
    imagePullPolicy: latest ? 'Always' : 'IfNotPresent',
    ...c,
    resources: c.resources ?? {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
  if (c.ports) out.ports = (c.ports as Manifest[]).map((p) => ({ protocol: 'TCP', ...p }));
  if (c.env) {
    out.env = (c.env as Manifest[]).map((e) => {
      const fieldRef = (e.valueFrom as Manifest | undefined)?.fieldRef as Manifest | undefined;
      return fieldRef ? { ...e, valueFrom: { fieldRef: { apiVersion: 'v1', ...fieldRef } } } : e;
    });
  }
  for (const key of ['livenessProbe', 'readinessProbe'] as const)
    if (c[key]) out[key] = probeDefaults(c[key]);
  return out;
}

/**
 * The Deployment as the API server returns it (`kubectl get`): the defaults it fills in, its metadata, the
 * `kubectl.kubernetes.io/last-applied-configuration` annotation (the applied JSON, keys sorted, one line) and status.
 */
export function asServerObject(applied: Manifest, i: number): Manifest {
  const metadata = applied.metadata as Manifest;
  const spec = applied.spec as Manifest;
  const template = spec.template as Manifest;
  const podSpec = template.spec as Manifest;
  const name = String(metadata.name);
  const hash = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0').slice(0, 9);
  const replicas = spec.replicas as number;
  return {
    apiVersion: applied.apiVersion,
    kind: applied.kind,
    metadata: {
      ...metadata,
      annotations: {
        ...(metadata.annotations as Manifest | undefined),
        'deployment.kubernetes.io/revision': String(1 + (i % 3)),
        // Only objects created by `kubectl apply` carry it (not Helm's, nor server-side applied ones): every other.
        ...(i % 2 === 0
          ? { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(sortedJson(applied))}\n` }
          : {}),
      },
      creationTimestamp: `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:0${i % 10}:00Z`,
      generation: 1 + (i % 3),
      resourceVersion: String(1_000_000 + i * 7),
      uid: `6f1c2a3e-${hash.slice(0, 4)}-4000-8000-${String(i).padStart(12, '0')}`,
    },
    spec: {
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
      ...spec,
      template: {
        metadata: { creationTimestamp: null, ...(template.metadata as Manifest) },
        spec: {
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          ...podSpec,
          containers: (podSpec.containers as Manifest[]).map(containerDefaults),
          ...(podSpec.volumes
            ? {
                volumes: (podSpec.volumes as Manifest[]).map((v) => {
                  if (v.configMap)
                    return { ...v, configMap: { defaultMode: 420, ...(v.configMap as Manifest) } };
                  if (v.secret) return { ...v, secret: { defaultMode: 420, ...(v.secret as Manifest) } };
                  if (v.hostPath) return { ...v, hostPath: { type: '', ...(v.hostPath as Manifest) } };
                  return v;
                }),
              }
            : {}),
        },
      },
    },
    status: {
      availableReplicas: replicas,
      conditions: [
        {
          lastTransitionTime: '2026-11-30T10:00:05Z',
          lastUpdateTime: '2026-11-30T10:00:05Z',
          message: 'Deployment has minimum availability.',
          reason: 'MinimumReplicasAvailable',
          status: 'True',
          type: 'Available',
        },
        {
          lastTransitionTime: '2026-11-30T10:00:00Z',
          lastUpdateTime: '2026-11-30T10:00:05Z',
          message: `ReplicaSet "${name}-${hash}" has successfully progressed.`,
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing',
        },
      ],
      observedGeneration: 1 + (i % 3),
      readyReplicas: replicas,
      replicas,
      updatedReplicas: replicas,
    },
  };
}
