import { fixtureCorpus, generatedCorpus, restrictedAndHardening } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Differential test: every fixture plus a seeded generated corpus, through the validator and through the real
 * `kyverno apply` as ClusterPolicies and as ValidatingPolicies. PALISADE_KYVERNO_CORPUS sets the generated corpus
 * size and PALISADE_KYVERNO_SEED its seed.
 */
const SIZE = Number(process.env.PALISADE_KYVERNO_CORPUS ?? 2000);
const SEED = Number(process.env.PALISADE_KYVERNO_SEED ?? 20260);

describe('differential: validator vs kyverno apply (ClusterPolicy and ValidatingPolicy)', () => {
  it(`agrees on every fixture and ${SIZE} generated objects (seed ${SEED})`, async () => {
    const corpus = [...fixtureCorpus(), ...generatedCorpus(SIZE, SEED)];
    const report = await runKyvernoDifferential(restrictedAndHardening(), corpus);
    console.log(
      `kyverno differential: ${report.objects} objects, ${report.evaluations} evaluations in ${report.runs} ` +
        `kyverno runs: ${report.wallMs} ms wall, ${report.summedMs} ms summed; ${report.denied} denied verdicts, ` +
        `${report.disagreements.length} disagreements`,
    );
    expect(report.denied).toBeGreaterThan(100);
    expect(report.disagreements.slice(0, 20).join('\n')).toBe('');
  }, 3_600_000);
});
