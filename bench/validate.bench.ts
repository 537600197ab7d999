/**
 * Validator throughput on typical Deployments with the full restricted profile plus every hardening policy.
 * Reproduce: `pnpm bench` (optionally `-- --count 20000 --rounds 7`). Single-threaded, so it measures one core.
 * Prints the median of the rounds for: parsing YAML into resources, evaluating the policies, and both together.
 */
import { parseArgs } from 'node:util';
import { selectPolicies } from '@palisade/core';
import { catalogue, hardeningPolicies } from '@palisade/policies';
import { parseManifests, Validator } from '@palisade/validator';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: { count: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } },
});
const count = Number(values.count);
const rounds = Number(values.rounds);

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

const text = Array.from({ length: count }, (_, i) => deployment(i)).join('---\n');
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
const parseTimes: number[] = [];
const validateTimes: number[] = [];
let failures = 0;
for (let round = 0; round <= rounds; round++) {
  const t0 = performance.now();
  const { resources, errors } = parseManifests(text, 'bench.yaml');
  const t1 = performance.now();
  failures = 0;
  for (const resource of resources) {
    for (const result of validator.validate(resource.object)) if (result.status === 'fail') failures++;
  }
  const t2 = performance.now();
  if (resources.length !== count || errors.length > 0) throw new Error('the bench input did not parse');
  if (round === 0) continue; // warm-up
  parseTimes.push(t1 - t0);
  validateTimes.push(t2 - t1);
}

const rate = (ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
const parse = median(parseTimes);
const evaluate = median(validateTimes);
console.log(
  `${count} Deployments, ${policies.length} policies (restricted + hardening), median of ${rounds} rounds`,
);
console.log(`parse YAML:        ${parse.toFixed(0)} ms  (${rate(parse)} manifests/s)`);
console.log(
  `evaluate policies: ${evaluate.toFixed(0)} ms  (${rate(evaluate)} manifests/s, ${failures} failing results)`,
);
console.log(
  `end to end:        ${(parse + evaluate).toFixed(0)} ms  (${rate(parse + evaluate)} manifests/s)`,
);
