import { matchedKinds, type PolicyConfig, type PolicyException } from '@palisade/core';
import { writeFiles } from '@palisade/testing';
import { Validator } from '@palisade/validator';
import { asKyvernoCliLoads, renamed } from '../cli-input.js';
import { clusterPolicy } from '../cluster-policy.js';
import { buildExceptions } from '../exceptions.js';
import { KUBERNETES_VERSION, KYVERNO_VERSION } from '../metadata.js';
import type { PolicyKind } from '../test-folder.js';
import { validatingPolicy } from '../validating-policy.js';
import { toYaml, toYamlDocuments } from '../yaml.js';
import { kyverno, pool } from './cli.js';

/**
 * The differential harness: objects through the validator and through the real `kyverno apply`, as ClusterPolicies
 * and as ValidatingPolicies; verdicts (denied or not) must agree per policy and object. Kyverno's CLI compiles
 * every CEL policy once per resource, so each policy runs on its own with only the resources of kinds it matches,
 * two runs at a time (the CI machine has 2 cores).
 */

const versions = { kyvernoVersion: KYVERNO_VERSION, kubernetesVersion: KUBERNETES_VERSION };

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  resources?: { name?: string }[];
}

export interface DifferentialReport {
  objects: number;
  evaluations: number;
  runs: number;
  wallMs: number;
  /** CPU-ish time: the sum of every kyverno run's duration. */
  summedMs: number;
  denied: number;
  disagreements: string[];
}

async function kyvernoVerdicts(
  doc: Record<string, unknown>,
  objects: readonly Record<string, unknown>[],
  exceptions: readonly Record<string, unknown>[],
): Promise<{ results: Map<string, ReportResult>; ms: number }> {
  const files = new Map([
    ['policy.yaml', toYaml(doc)],
    ['resources.yaml', toYamlDocuments(objects)],
  ]);
  if (exceptions.length > 0) files.set('exceptions.yaml', toYamlDocuments(exceptions));
  const root = writeFiles(files);
  const args = ['apply', `${root}/policy.yaml`, '--resource', `${root}/resources.yaml`];
  if (exceptions.length > 0) args.push('--exception', `${root}/exceptions.yaml`);
  const run = await kyverno([...args, '-p', '--output-format', 'json']);
  // A policy Kyverno refuses (e.g. "policy contains invalid variables") is skipped, not reported: fail loudly.
  if (run.stdout.includes('Policies Skipped:') || run.stdout.includes('Invalid Policies:'))
    throw new Error(`kyverno apply skipped the policy:\n${run.stdout}\n${run.stderr}`);
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`kyverno apply printed no report:\n${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as { results?: ReportResult[] };
  const results = new Map<string, ReportResult>();
  for (const r of report.results ?? []) results.set(r.resources?.[0]?.name ?? '', r);
  return { results, ms: run.ms };
}

const denies = (status: string | undefined) => status === 'fail' || status === 'warn';

export async function runKyvernoDifferential(
  configs: readonly PolicyConfig[],
  corpus: readonly { id: string; object: Record<string, unknown> }[],
  options: {
    exceptions?: readonly PolicyException[];
    now?: Date;
    /** Also require Kyverno's message to equal the validator's, for denied objects. */
    compareMessages?: boolean;
    /** Jobs run at once. @default 2 */
    width?: number;
  } = {},
): Promise<DifferentialReport> {
  const now = options.now ?? new Date();
  const policyExceptions = options.exceptions ?? [];
  const objects = corpus.map((c, i) => renamed(asKyvernoCliLoads(c.object), `o-${i}`));
  const validator = new Validator({ policies: configs, exceptions: policyExceptions, now });
  const expected = new Map<string, { status: string; message: string }>();
  for (const object of objects) {
    const name = (object.metadata as { name: string }).name;
    for (const r of validator.validate(object)) {
      expected.set(`${r.policy.id}/${name}`, { status: r.status, message: r.message });
    }
  }
  const compiled = buildExceptions(policyExceptions, configs, now);
  const jobs = configs.flatMap((config) => {
    const id = config.policy.id;
    const kinds = new Set(matchedKinds(config.match ?? config.policy.match));
    const matched = objects.filter((o) => kinds.has(String(o.kind)));
    const exceptionsFor = (docs: Map<string, Record<string, unknown>>) =>
      [...docs.values()].filter((doc) => JSON.stringify(doc).includes(`"${id}"`));
    return [
      {
        id,
        kind: 'ClusterPolicy' as PolicyKind,
        doc: clusterPolicy(config, versions, compiled.clusterExemptImages.get(id)),
        objects: matched,
        exceptions: exceptionsFor(compiled.cluster),
      },
      {
        id,
        kind: 'ValidatingPolicy' as PolicyKind,
        doc: validatingPolicy(config, versions, compiled.imageExceptionPolicies.has(id)),
        objects: matched,
        exceptions: exceptionsFor(compiled.validating),
      },
    ];
  });
  const started = performance.now();
  const runs = await pool(jobs, options.width ?? 2, async (job) => ({
    job,
    ...(await kyvernoVerdicts(job.doc, job.objects, job.exceptions)),
  }));
  const disagreements: string[] = [];
  let denied = 0;
  for (const { job, results } of runs) {
    for (const object of job.objects) {
      const name = (object.metadata as { name: string }).name;
      const want = expected.get(`${job.id}/${name}`);
      const got = results.get(name);
      if (denies(want?.status)) denied++;
      if (want === undefined && got === undefined) continue;
      const messageDiffers =
        options.compareMessages === true && denies(want?.status) && got?.message !== want?.message;
      if (denies(want?.status) !== denies(got?.result) || got?.result === 'error' || messageDiffers) {
        disagreements.push(
          `${job.kind} ${job.id} on ${JSON.stringify(object)}\n  validator: ${want?.status ?? 'no result'} ${want?.message ?? ''}\n  kyverno:   ${got?.result ?? 'no result'} ${got?.message ?? ''}`,
        );
      }
    }
  }
  return {
    objects: objects.length,
    evaluations: runs.reduce((sum, r) => sum + r.job.objects.length, 0),
    runs: runs.length,
    wallMs: Math.round(performance.now() - started),
    summedMs: runs.reduce((sum, r) => sum + r.ms, 0),
    denied,
    disagreements,
  };
}
