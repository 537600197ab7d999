/**
 * Validator throughput on typical Deployments with the full restricted profile plus every hardening policy.
 * Reproduce: `pnpm bench` (optionally `-- --count 20000 --rounds 7`). Single-threaded, so it measures one core.
 * For YAML (a multi-document file, as `helm template` or `kustomize build` print it) and JSON (a List, as
 * `kubectl get -o json` prints it), prints the median and the best of the rounds for: parsing the text into
 * resources, evaluating the policies, and both together. See docs/performance.md.
 * `--parser fast|js-yaml|yaml` picks the YAML reader (the fast path; its js-yaml tier alone, without the
 * block-structure parser; the `yaml` package alone) and `--style helm|kubectl|yaml-stringify` the writer whose
 * layout the YAML has, to compare the readers (docs/performance.md, "Is the block-structure parser worth it?").
 */
import { parseArgs } from 'node:util';
import { selectPolicies } from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { type ManifestFormat, parseManifests, Validator } from '@palisade/validator';
import { stringify } from 'yaml';
// Internal (not exported from the package): the same pipeline with another YAML reader.
import { parseManifestsReading, type YamlReading } from '../packages/validator/src/parse-manifests.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    count: { type: 'string', default: '20000' },
    rounds: { type: 'string', default: '7' },
    /** Which YAML reader: the fast path (block parser, then js-yaml), js-yaml alone, or the `yaml` package alone. */
    parser: { type: 'string', default: 'fast' },
    /** Which writer's YAML: this file's template, kubectl's `get -o yaml`, or the `yaml` package's `stringify`. */
    style: { type: 'string', default: 'helm' },
  },
});
const count = Number(values.count);
const rounds = Number(values.rounds);
const READINGS: Record<string, YamlReading> = { fast: 'fast', 'js-yaml': 'js-yaml', yaml: 'reference' };
const chosen = READINGS[values.parser];
if (!chosen) throw new Error(`--parser must be one of ${Object.keys(READINGS).join(', ')}`);
const reading: YamlReading = chosen;
const STYLES = ['helm', 'kubectl', 'yaml-stringify'];
if (!STYLES.includes(values.style)) throw new Error(`--style must be one of ${STYLES.join(', ')}`);

/** A realistic, mostly compliant Deployment (about 60 lines of YAML); every fifth one has findings. */
function deployment(i: number): string {
  const bad = i % 5 === 0;
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-${i}
  namespace: team-${i % 7}
  labels:
    app.kubernetes.io/name: web-${i}
    app.kubernetes.io/part-of: shop
spec:
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: web-${i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web-${i}
    spec:
      automountServiceAccountToken: false
      runtimeClassName: gvisor
      securityContext:
        runAsNonRoot: true
        runAsUser: 10001
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: web
          image: registry.example.com/shop/web:${bad ? 'latest' : `2.${i % 10}.1`}
          ports:
            - containerPort: 8080
          securityContext:
            allowPrivilegeEscalation: ${bad}
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
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
          emptyDir: {}
`;
}

/**
 * The object as `kubectl get -o yaml` prints it: with the fields the API server adds (the last-applied annotation
 * is a block scalar, as kubectl prints a string with line breaks), keys sorted, block sequences not indented under
 * their key (go-yaml v2's layout).
 */
function asServerObject(object: Record<string, unknown>, i: number): Record<string, unknown> {
  const metadata = object.metadata as Record<string, unknown>;
  return {
    ...object,
    metadata: {
      ...metadata,
      annotations: {
        'deployment.kubernetes.io/revision': '1',
        'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(object)}\n`,
      },
      creationTimestamp: '2026-11-30T10:00:00Z',
      generation: 1,
      resourceVersion: String(100000 + i),
      uid: `6f1c2a3e-0000-4000-8000-${String(i).padStart(12, '0')}`,
    },
    status: {
      availableReplicas: 3,
      conditions: [
        {
          lastTransitionTime: '2026-11-30T10:00:05Z',
          message: `ReplicaSet "web-${i}-5d8f7c9b4" has successfully progressed.`,
          reason: 'NewReplicaSetAvailable',
          status: 'True',
          type: 'Progressing',
        },
      ],
      observedGeneration: 1,
      readyReplicas: 3,
      replicas: 3,
      updatedReplicas: 3,
    },
  };
}

const helmText = Array.from({ length: count }, (_, i) => deployment(i)).join('---\n');
const objects = parseManifests(helmText, 'bench.yaml').resources.map((r) => r.object);
const yamlText =
  values.style === 'kubectl'
    ? objects
        .map((o, i) =>
          stringify(asServerObject(o, i), { indentSeq: false, sortMapEntries: true, lineWidth: 0 }),
        )
        .join('---\n')
    : values.style === 'yaml-stringify'
      ? objects.map((o) => stringify(o)).join('---\n')
      : helmText;
const jsonText = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects });
const policies = [
  ...selectPolicies(catalogue, { profile: 'restricted' }),
  ...selectPolicies(catalogue, { include: hardeningPolicies.map((p) => p.id) }),
].map((resolved) => ({
  ...resolved,
  params: {
    'restrict-image-registries': { registries: ['registry.example.com/'] },
    'require-runtime-class': { runtimeClasses: ['gvisor'] },
  }[resolved.policy.id],
}));
const validator = new Validator({ policies });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const best = (xs: number[]) => Math.min(...xs);
const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');

/** Milliseconds of CPU time used so far (user and system, all threads: the garbage collector's helpers too). */
const cpuNow = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

/**
 * Parses and evaluates the whole input `rounds` times (after one warm-up round) and prints, for parsing, evaluating
 * and both, the median and best wall-clock rates and the median CPU-time rate (which waiting for a busy machine's
 * cores does not inflate).
 */
function measure(label: string, text: string, format: ManifestFormat): void {
  const times = { parse: [] as number[], evaluate: [] as number[], total: [] as number[] };
  const cpu = { parse: [] as number[], evaluate: [] as number[], total: [] as number[] };
  let failures = 0;
  for (let round = 0; round <= rounds; round++) {
    const c0 = cpuNow();
    const t0 = performance.now();
    const { resources, errors } = parseManifestsReading(text, `bench.${format}`, { format }, reading);
    const t1 = performance.now();
    const c1 = cpuNow();
    failures = 0;
    for (const resource of resources) {
      for (const result of validator.validate(resource.object)) if (result.status === 'fail') failures++;
    }
    const t2 = performance.now();
    const c2 = cpuNow();
    if (resources.length !== count || errors.length > 0) throw new Error(`the bench ${label} did not parse`);
    if (round === 0) continue; // warm-up
    times.parse.push(t1 - t0);
    times.evaluate.push(t2 - t1);
    times.total.push(t2 - t0);
    cpu.parse.push(c1 - c0);
    cpu.evaluate.push(c2 - c1);
    cpu.total.push(c2 - c0);
  }
  const line = (name: string, key: keyof typeof times, extra = '') =>
    console.log(
      `${name.padEnd(20)} median ${median(times[key]).toFixed(0).padStart(5)} ms ${rate(median(times[key])).padStart(7)}/s` +
        `   best ${best(times[key]).toFixed(0).padStart(5)} ms ${rate(best(times[key])).padStart(7)}/s` +
        `   CPU ${median(cpu[key]).toFixed(0).padStart(5)} ms ${rate(median(cpu[key])).padStart(7)}/s${extra}`,
    );
  line(`parse ${label}:`, 'parse');
  line('evaluate policies:', 'evaluate', `   (${failures} failing results)`);
  line('end to end:', 'total');
}

console.log(
  `${count} Deployments, ${policies.length} policies (restricted + hardening), ${rounds} rounds, manifests per second` +
    ` (YAML by ${values.parser}, written as ${values.style})`,
);
measure('YAML', yamlText, 'yaml');
// JSON does not depend on the YAML reader or writer: measured in the default run only.
if (values.parser === 'fast' && values.style === 'helm') measure('JSON (a List)', jsonText, 'json');
