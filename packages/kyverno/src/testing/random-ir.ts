import { rmSync } from 'node:fs';
import type { PolicyConfig } from '@palisade/core';
import {
  type IrCase,
  irExceptions,
  irPolicyConfig,
  messageParts,
  referenceResults,
  sortKeys,
  writeFiles,
} from '@palisade/testing';
import { clusterPolicy } from '../cluster-policy.js';
import { buildExceptions } from '../exceptions.js';
import { KUBERNETES_VERSION, KYVERNO_VERSION } from '../metadata.js';
import { validatingPolicy } from '../validating-policy.js';
import { toYamlDocuments } from '../yaml.js';
import { kyverno, pool } from './cli.js';

/**
 * The random-IR differential through the real `kyverno apply`: every random rule as a ValidatingPolicy and as a
 * ClusterPolicy (validate.cel), each matching only its own resources by a label, so one run evaluates a whole
 * batch of rules. Verdicts and messages are compared with the validator on the pairs the reference does not
 * exclude (see referenceResults); on every pair, Kyverno must not report an `error`.
 */

const versions = { kyvernoVersion: KYVERNO_VERSION, kubernetesVersion: KUBERNETES_VERSION };
const NOW = new Date('2025-01-01T00:00:00Z');
const CASE_LABEL = 'palisade.dev/case';

export type KyvernoKind = 'ValidatingPolicy' | 'ClusterPolicy';

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  resources?: { name?: string }[];
}

export interface KyvernoRandomIrReport {
  rules: number;
  /** (policy, resource) pairs Kyverno evaluated, over both policy kinds. */
  evaluations: number;
  counts: Record<string, number>;
  denied: number;
  messagesNotCompared: number;
  failures: string[];
  runs: number;
  /** The slowest runs: rule indexes, policy kind and milliseconds. */
  slowest: string[];
  wallMs: number;
  summedMs: number;
}

/** The objects of every case, named `r<i>-<j>` and labelled with their case, keys sorted. */
export function labelledCases(cases: readonly IrCase[]): IrCase[] {
  return cases.map((c, i) => ({
    ...c,
    objects: c.objects.map((o, j) =>
      sortKeys({
        ...o,
        metadata: { name: `r${i}-${j}`, namespace: 'default', labels: { [CASE_LABEL]: `r${i}` } },
      }),
    ),
  }));
}

const policyName = (kind: KyvernoKind, i: number) => (kind === 'ValidatingPolicy' ? `r${i}` : `r${i}-cp`);

/** A random rule's policy of one kind, restricted to the resources of its case. */
function policyDoc(
  kind: KyvernoKind,
  i: number,
  c: IrCase,
  exemptImages: string | undefined,
  imageExceptions: boolean,
): Record<string, unknown> {
  const config = irPolicyConfig(`r${i}`, c.rule, c.params);
  const selector = { matchLabels: { [CASE_LABEL]: `r${i}` } };
  if (kind === 'ValidatingPolicy') {
    const doc = validatingPolicy(config, versions, imageExceptions);
    (doc.spec as { matchConstraints: Record<string, unknown> }).matchConstraints.objectSelector = selector;
    return doc;
  }
  const doc = clusterPolicy(config, versions, exemptImages);
  (doc.metadata as { name: string }).name = policyName(kind, i);
  const [rule] = (doc.spec as { rules: { match: { any: { resources: Record<string, unknown> }[] } }[] })
    .rules;
  for (const m of rule?.match.any ?? []) m.resources.selector = selector;
  return doc;
}

/**
 * What Kyverno shows when the message expression gives an empty message: the ClusterPolicy's static message (see
 * compiled.ts), Kyverno's own text for a ValidatingPolicy.
 */
const fallbackMessages = (config: PolicyConfig) => [
  `${config.policy.title}: ${config.policy.remediation}`,
  'CEL expression validation failed at index 0',
];

export async function runKyvernoRandomIr(
  input: readonly IrCase[],
  options: {
    /**
     * Rules per `kyverno apply` of each policy kind. The CLI compiles a ValidatingPolicy for every resource it
     * loads, matched or not, and a random rule's CEL takes a while to compile: few rules per run there. A
     * ClusterPolicy's CEL is compiled for the resources it matches only.
     */
    batchSize: Record<KyvernoKind, number>;
    /** Runs at once. */
    width: number;
  },
): Promise<KyvernoRandomIrReport> {
  const cases = labelledCases(input);
  const reference = referenceResults(cases, 'r');
  const configs = cases.map((c, i) => irPolicyConfig(`r${i}`, c.rule, c.params));
  const exceptions = buildExceptions(
    cases.flatMap((c, i) => irExceptions(`r${i}`, c.exempt)),
    configs,
    NOW,
  );
  const jobs: { kind: KyvernoKind; indexes: number[] }[] = [];
  for (const kind of ['ValidatingPolicy', 'ClusterPolicy'] as const) {
    const size = options.batchSize[kind];
    for (let start = 0; start < cases.length; start += size) {
      const indexes = cases.map((_, i) => i).slice(start, start + size);
      jobs.push({ kind, indexes });
    }
  }
  const started = performance.now();
  const runs = await pool(jobs, options.width, async ({ kind, indexes }) => {
    const docs = indexes.map((i) =>
      policyDoc(
        kind,
        i,
        cases[i] as IrCase,
        exceptions.clusterExemptImages.get(`r${i}`),
        exceptions.imageExceptionPolicies.has(`r${i}`),
      ),
    );
    const ids = new Set(indexes.map((i) => `r${i}`));
    const exceptionDocs = [
      ...(kind === 'ValidatingPolicy' ? exceptions.validating : exceptions.cluster).values(),
    ].filter((doc) => [...ids].some((id) => JSON.stringify(doc).includes(`"${id}"`)));
    const files = new Map([
      ['policies.yaml', toYamlDocuments(docs)],
      ['resources.yaml', toYamlDocuments(indexes.flatMap((i) => cases[i]?.objects ?? []))],
    ]);
    if (exceptionDocs.length > 0) files.set('exceptions.yaml', toYamlDocuments(exceptionDocs));
    const root = writeFiles(files);
    try {
      const args = ['apply', `${root}/policies.yaml`, '--resource', `${root}/resources.yaml`];
      if (exceptionDocs.length > 0) args.push('--exception', `${root}/exceptions.yaml`);
      const run = await kyverno([...args, '-p', '--output-format', 'json']);
      const start = run.stdout.indexOf('{');
      if (start < 0) throw new Error(`kyverno apply printed no report:\n${run.stdout}\n${run.stderr}`);
      const report = JSON.parse(run.stdout.slice(start)) as { results?: ReportResult[] };
      return { kind, indexes, results: report.results ?? [], ms: run.ms };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
  const wallMs = Math.round(performance.now() - started);

  const got = new Map<string, ReportResult>();
  for (const run of runs) {
    for (const r of run.results) got.set(`${run.kind}/${r.resources?.[0]?.name ?? ''}`, r);
  }
  const failures: { size: number; text: string }[] = [];
  let denied = 0;
  let messagesNotCompared = 0;
  let evaluations = 0;
  for (const [i, c] of cases.entries()) {
    for (const [j, object] of c.objects.entries()) {
      const want = reference.expected[i]?.[j];
      for (const kind of ['ValidatingPolicy', 'ClusterPolicy'] as const) {
        const result = got.get(`${kind}/r${i}-${j}`);
        if (result) evaluations++;
        const report = (why: string, expected: unknown) => {
          const text = JSON.stringify({ rule: c.rule, object, params: c.params, exempt: c.exempt });
          failures.push({
            size: text.length,
            text: `${kind} ${why}: ${text}\n  validator ${JSON.stringify(expected)}\n  kyverno   ${result?.result ?? 'no result'} ${JSON.stringify(result?.message ?? '')}`,
          });
        };
        if (result?.result === 'error') {
          report('error', want?.excluded ?? want?.result?.message);
          continue;
        }
        if (want === undefined || want.excluded !== undefined) continue;
        const status = want.result?.status;
        const expectedDenied = status === 'fail' || status === 'warn';
        if (expectedDenied && kind === 'ValidatingPolicy') denied++;
        const actualDenied = result?.result === 'fail' || result?.result === 'warn';
        if (expectedDenied !== actualDenied) {
          report('verdict', want.result?.message ?? 'no result');
          continue;
        }
        if (!expectedDenied) continue;
        if (want.walk.celMessageDiffers) {
          if (kind === 'ValidatingPolicy') messagesNotCompared++;
          continue;
        }
        const message = result?.message ?? '';
        // Kubernetes replaces an empty message by the static one (the policy's title and remediation).
        if (want.walk.emptyMessage && fallbackMessages(configs[i] as PolicyConfig).includes(message))
          continue;
        const expected = messageParts([want.result?.message ?? '']);
        if (JSON.stringify(expected) !== JSON.stringify(messageParts([message]))) report('message', expected);
      }
    }
  }
  failures.sort((a, b) => a.size - b.size);
  return {
    rules: cases.length,
    evaluations,
    counts: reference.counts,
    denied,
    messagesNotCompared,
    failures: failures.map((f) => f.text),
    runs: runs.length,
    slowest: [...runs]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 3)
      .map((r) => `${r.kind} r${r.indexes.join(',r')}: ${r.ms} ms`),
    wallMs,
    summedMs: runs.reduce((sum, r) => sum + r.ms, 0),
  };
}
