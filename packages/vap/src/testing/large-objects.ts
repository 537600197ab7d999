/** Sizes of a large Pod: every list the policies iterate over. */
export interface PodSize {
  containers: number;
  initContainers: number;
  portsPerContainer: number;
  envPerContainer: number;
  volumes: number;
  /** entries of capabilities.drop (ALL plus distinct capability names) */
  dropCapabilities: number;
}

export const LARGE_POD: PodSize = {
  containers: 50,
  initContainers: 10,
  portsPerContainer: 20,
  envPerContainer: 50,
  volumes: 100,
  dropCapabilities: 40,
};

/**
 * A Pod spec every restricted and hardening policy admits (with the catalogue's fixture parameters: registry
 * registry.example.com/, runtime classes gvisor/kata), as large as `size` asks: the worst case for CEL cost is an
 * object the policies must read completely.
 */
export function largePodSpec(size: PodSize): Record<string, unknown> {
  const container = (prefix: string, i: number, probes: boolean) => ({
    name: `${prefix}${i}`,
    image: `registry.example.com/app@sha256:${'a'.repeat(64)}`,
    ports: Array.from({ length: size.portsPerContainer }, (_, p) => ({
      name: `${prefix}${i}p${p}`,
      // distinct over all containers (a duplicate is a warning): init containers from 40000
      containerPort: (prefix === 'i' ? 40_000 : 1_024) + ((i * size.portsPerContainer + p) % 25_000),
      protocol: 'TCP',
    })),
    env: Array.from({ length: size.envPerContainer }, (_, e) => ({ name: `ENV_${e}`, value: `value-${e}` })),
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    ...(probes
      ? {
          livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
          readinessProbe: { tcpSocket: { port: 8080 } },
        }
      : {}),
    securityContext: {
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
      capabilities: {
        drop: [
          'ALL',
          ...Array.from({ length: Math.max(0, size.dropCapabilities - 1) }, (_, c) => `CAP_X${c}`),
        ],
      },
    },
    volumeMounts: Array.from({ length: Math.min(size.volumes, 10) }, (_, v) => ({
      name: `v${v}`,
      mountPath: `/data/${v}`,
    })),
  });
  return {
    automountServiceAccountToken: false,
    runtimeClassName: 'gvisor',
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    initContainers: Array.from({ length: size.initContainers }, (_, i) => container('i', i, false)),
    containers: Array.from({ length: size.containers }, (_, i) => container('c', i, true)),
    volumes: Array.from({ length: size.volumes }, (_, v) =>
      v % 2 === 0 ? { name: `v${v}`, emptyDir: {} } : { name: `v${v}`, configMap: { name: `cm-${v}` } },
    ),
  };
}

export function largePod(size: PodSize, name: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: 'large' } },
    spec: largePodSpec(size),
  };
}

export function largeDeployment(size: PodSize, name: string, namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: 'large' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'large' } },
      template: { metadata: { labels: { app: 'large' } }, spec: largePodSpec(size) },
    },
  };
}
