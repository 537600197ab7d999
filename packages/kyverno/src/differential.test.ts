import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { fixtureCorpus, generatedCorpus, restrictedAndHardening } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Differential test: every fixture plus a seeded generated corpus, through the validator and through the real
 * `kyverno apply` as ClusterPolicies and as ValidatingPolicies. PALISADE_KYVERNO_CORPUS sets the generated corpus
 * size and PALISADE_KYVERNO_SEED its seed. Kyverno's cost grows with the objects, so CI's 500 is the smallest
 * corpus that, with this seed, reaches every verdict and every kind of violation message the former 2,000 reached
 * (docs/testing.md); `pnpm soak` runs 8,000 with a seed that changes daily.
 */
const SIZE = Number(process.env.PALISADE_KYVERNO_CORPUS ?? 500);
const SEED = Number(process.env.PALISADE_KYVERNO_SEED ?? 20260);

describe('differential: validator vs kyverno apply (ClusterPolicy and ValidatingPolicy)', () => {
  it(
    `agrees on every fixture and ${SIZE} generated objects (seed ${SEED})`,
    async () => {
      const corpus = [...fixtureCorpus(), ...generatedCorpus(SIZE, SEED)];
      const report = await runKyvernoDifferential(restrictedAndHardening(), corpus);
      console.log(
        `kyverno differential: ${report.objects} objects, ${report.evaluations} evaluations in ${report.runs} ` +
          `kyverno runs: ${report.wallMs} ms wall, ${report.summedMs} ms summed; ${report.denied} denied verdicts, ` +
          `${report.disagreements.length} disagreements`,
      );
      expect(report.denied).toBeGreaterThan(100);
      expect(report.disagreements.slice(0, 20).join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
