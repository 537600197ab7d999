import { parse } from 'yaml';
import { CONTROLLER_KINDS, wrapPodInController } from '../fixtures.js';
import { seededRandom } from './writer-deployments.js';

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
export function workloadCorpus(count: number, seed = 1): Workload[] {
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
export function yamlStream(documents: readonly string[]): string {
  return documents.map((d) => `---\n${d}`).join('');
}

/**
 * `count` objects the API server accepts, for audits of a real cluster: the workloads' pods as a Pod or in each
 * controller kind in turn (Jobs and CronJobs restart OnFailure, as the API requires), and one in ten a Service
 * (some NodePort, some with external IPs) or a ServiceAccount (some automounting their token), so every kind the
 * restricted profile and the hardening policies match has objects, with and without findings.
 */
export function clusterCorpus(
  count: number,
  seed = 1,
  namespaces: readonly string[] = ['default'],
): Record<string, unknown>[] {
  const kinds = ['Pod', ...CONTROLLER_KINDS] as const;
  return workloadCorpus(count, seed).map((workload, i) => {
    const namespace = namespaces[i % namespaces.length] as string;
    const name = `${workload.name}-${i % 10 === 9 ? 'x' : ''}${i}`;
    if (i % 10 === 9) return i % 20 === 9 ? service(name, namespace, i) : serviceAccount(name, namespace, i);
    const pod = parse(workload.pod) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
    pod.metadata = { ...pod.metadata, name, namespace };
    const kind = kinds[i % kinds.length] as (typeof kinds)[number];
    if (kind === 'Pod') return pod;
    if (kind === 'Job' || kind === 'CronJob') pod.spec = { ...pod.spec, restartPolicy: 'OnFailure' };
    return wrapPodInController(pod, kind);
  });
}

function service(name: string, namespace: string, i: number): Record<string, unknown> {
  const spec: Record<string, unknown> = { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] };
  if (i % 60 === 9) spec.type = 'NodePort';
  if (i % 60 === 29) spec.externalIPs = ['203.0.113.10'];
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec };
}

function serviceAccount(name: string, namespace: string, i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace },
    ...(i % 40 === 19 ? {} : { automountServiceAccountToken: i % 80 === 39 }),
  };
}
