import { seededRandom } from '@palisade/testing';

/**
 * A reproducible corpus: realistic workloads (two containers, probes, resources, security contexts), about one
 * in four with findings drawn from a seeded generator, as Deployments (for Kyverno) or as Pods with the same pod
 * spec (for gator, which does not expand pod controllers).
 */

/** What a workload may get wrong; each is a restricted-profile finding. */
const FINDINGS = [
  'privilegeEscalation',
  'privileged',
  'hostNetwork',
  'addCapability',
  'noDropAll',
  'seccompUnconfined',
  'runAsRoot',
  'hostPort',
  'hostPath',
] as const;
type Finding = (typeof FINDINGS)[number];

function podSpec(i: number, findings: ReadonlySet<Finding>): string {
  const has = (f: Finding) => findings.has(f);
  return `automountServiceAccountToken: false
${has('hostNetwork') ? 'hostNetwork: true\n' : ''}securityContext:
  runAsNonRoot: ${has('runAsRoot') ? 'false' : 'true'}
  runAsUser: ${has('runAsRoot') ? 0 : 10001}
  seccompProfile:
    type: ${has('seccompUnconfined') ? 'Unconfined' : 'RuntimeDefault'}
containers:
  - name: web
    image: registry.example.com/shop/web:2.${i % 10}.1
    ports:
      - containerPort: 8080${has('hostPort') ? '\n        hostPort: 8080' : ''}
    securityContext:
      allowPrivilegeEscalation: ${has('privilegeEscalation') || has('privileged')}${has('privileged') ? '\n      privileged: true' : ''}
      readOnlyRootFilesystem: true
      capabilities:
        drop: ${has('noDropAll') ? '["NET_RAW"]' : '["ALL"]'}${has('addCapability') ? '\n        add: ["SYS_ADMIN"]' : ''}
    resources:
      requests: { cpu: 100m, memory: 128Mi }
      limits: { memory: 256Mi }
    livenessProbe:
      httpGet: { path: /healthz, port: 8080 }
    readinessProbe:
      httpGet: { path: /ready, port: 8080 }
    volumeMounts:
      - name: tmp
        mountPath: /tmp
  - name: proxy
    image: registry.example.com/shop/proxy:1.4.0
    securityContext:
      allowPrivilegeEscalation: false
      readOnlyRootFilesystem: true
      capabilities:
        drop: ["ALL"]
    resources:
      requests: { cpu: 50m, memory: 64Mi }
      limits: { memory: 128Mi }
    livenessProbe:
      tcpSocket: { port: 15000 }
    readinessProbe:
      tcpSocket: { port: 15000 }
volumes:
  - name: tmp
${has('hostPath') ? '    hostPath: { path: /var/tmp }' : '    emptyDir: {}'}`;
}

function indent(text: string, n: number): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : ' '.repeat(n) + line))
    .join('\n');
}

export interface Workload {
  name: string;
  findings: Finding[];
  deployment: string;
  pod: string;
}

/** `count` workloads from `seed`; about one in four has one or two findings. */
export function corpus(count: number, seed = 1): Workload[] {
  const next = seededRandom(seed);
  const workloads: Workload[] = [];
  for (let i = 0; i < count; i++) {
    const findings = new Set<Finding>();
    if (next() < 0.25) {
      const n = next() < 0.5 ? 1 : 2;
      while (findings.size < n) findings.add(FINDINGS[Math.floor(next() * FINDINGS.length)] as Finding);
    }
    const name = `web-${i}`;
    const namespace = `team-${i % 7}`;
    const spec = podSpec(i, findings);
    const labels = `app.kubernetes.io/name: ${name}\napp.kubernetes.io/part-of: shop`;
    const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
${indent(labels, 4)}
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
${indent(labels, 8)}
    spec:
${indent(spec, 6)}
`;
    const pod = `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${namespace}
  labels:
${indent(labels, 4)}
spec:
${indent(spec, 2)}
`;
    workloads.push({ name, findings: [...findings], deployment, pod });
  }
  return workloads;
}

/** One multi-document YAML stream. */
export function stream(documents: readonly string[]): string {
  return documents.map((d) => `---\n${d}`).join('');
}
