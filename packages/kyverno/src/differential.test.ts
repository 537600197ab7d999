import { matchedKinds, type PolicyConfig } from '@palisade/core';
import { fixtureCorpus, generatedCorpus } from '@palisade/policies/testing';
import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { asKyvernoCliLoads, renamed } from './cli-input.js';
import { clusterPolicy } from './cluster-policy.js';
import { restrictedAndHardening, writeFiles } from './testing/catalogue.js';
import { kyverno, pool } from './testing/cli.js';
import { validatingPolicy } from './validating-policy.js';
import { toYaml, toYamlDocuments } from './yaml.js';

/**
 * Differential test: every fixture plus a seeded generated corpus, through the validator and through the real
 * `kyverno apply` as ClusterPolicies and as ValidatingPolicies; verdicts (fail or not) must agree per policy and
 * object. Kyverno's CLI compiles every CEL policy once per resource, so each policy runs on its own with only the
 * resources of kinds it matches, two runs at a time. PALISADE_KYVERNO_CORPUS sets the generated corpus size and
 * PALISADE_KYVERNO_SEED its seed.
 */
const SIZE = Number(process.env.PALISADE_KYVERNO_CORPUS ?? 2000);
const SEED = Number(process.env.PALISADE_KYVERNO_SEED ?? 20260);
const versions = { kyvernoVersion: '1.19.0', kubernetesVersion: '1.34' };

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  resources?: { name?: string }[];
}

async function kyvernoVerdicts(
  doc: Record<string, unknown>,
  objects: readonly Record<string, unknown>[],
): Promise<{ results: Map<string, ReportResult>; ms: number }> {
  const root = writeFiles(
    new Map([
      ['policy.yaml', toYaml(doc)],
      ['resources.yaml', toYamlDocuments(objects)],
    ]),
  );
  const run = await kyverno([
    'apply',
    `${root}/policy.yaml`,
    '--resource',
    `${root}/resources.yaml`,
    '-p',
    '--output-format',
    'json',
  ]);
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`kyverno apply printed no report:\n${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as { results?: ReportResult[] };
  const results = new Map<string, ReportResult>();
  for (const r of report.results ?? []) results.set(r.resources?.[0]?.name ?? '', r);
  return { results, ms: run.ms };
}

const denies = (status: string | undefined) => status === 'fail' || status === 'warn';

describe('differential: validator vs kyverno apply (ClusterPolicy and ValidatingPolicy)', () => {
  it(`agrees on every fixture and ${SIZE} generated objects (seed ${SEED})`, async () => {
    const configs: PolicyConfig[] = restrictedAndHardening();
    const corpus = [...fixtureCorpus(), ...generatedCorpus(SIZE, SEED)].map((c, i) => ({
      id: c.id,
      object: renamed(asKyvernoCliLoads(c.object), `o-${i}`),
    }));
    const validator = new Validator({ policies: configs });
    const expected = new Map<string, string>();
    for (const { object } of corpus) {
      const name = (object.metadata as { name: string }).name;
      for (const r of validator.validate(object)) expected.set(`${r.policy.id}/${name}`, r.status);
    }
    const jobs = configs.flatMap((config) => {
      const kinds = new Set(matchedKinds(config.match ?? config.policy.match));
      const objects = corpus.filter((c) => kinds.has(String(c.object.kind))).map((c) => c.object);
      return [
        { config, kind: 'ClusterPolicy', doc: clusterPolicy(config, versions), objects },
        { config, kind: 'ValidatingPolicy', doc: validatingPolicy(config, versions, false), objects },
      ];
    });
    const started = performance.now();
    const runs = await pool(jobs, 2, async (job) => ({
      job,
      ...(await kyvernoVerdicts(job.doc, job.objects)),
    }));
    const wall = Math.round(performance.now() - started);
    const cpu = runs.reduce((sum, r) => sum + r.ms, 0);
    const evaluations = runs.reduce((sum, r) => sum + r.job.objects.length, 0);
    console.log(
      `differential: ${corpus.length} objects, ${configs.length} policies, ${evaluations} kyverno evaluations in ` +
        `${runs.length} runs: ${wall} ms wall, ${cpu} ms summed over runs`,
    );
    const disagreements: string[] = [];
    let denied = 0;
    for (const { job, results } of runs) {
      const id = job.config.policy.id;
      for (const object of job.objects) {
        const name = (object.metadata as { name: string }).name;
        const want = expected.get(`${id}/${name}`);
        const got = results.get(name);
        if (denies(want)) denied++;
        if (want === undefined && got === undefined) continue;
        if (denies(want) !== denies(got?.result) || got?.result === 'error') {
          disagreements.push(
            `${job.kind} ${id} on ${JSON.stringify(object)}\n  validator: ${want ?? 'no result'}\n  kyverno:   ${got?.result ?? 'no result'} ${got?.message ?? ''}`,
          );
        }
      }
    }
    console.log(`differential: ${denied} denied verdicts, ${disagreements.length} disagreements`);
    expect(denied).toBeGreaterThan(100);
    expect(disagreements.slice(0, 20).join('\n')).toBe('');
  }, 3_600_000);
});
