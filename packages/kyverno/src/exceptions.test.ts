import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import {
  EXCEPTION_FORMS,
  fixtureCorpus,
  generatedCorpus,
  restrictedAndHardening,
  variedForExceptions,
} from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { buildExceptions } from './exceptions.js';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Exceptions of every form, compiled to Kyverno PolicyExceptions (kyverno.io/v2 for ClusterPolicies,
 * policies.kyverno.io/v1 for ValidatingPolicies; image exceptions baked into the ClusterPolicies' CEL), exempt in
 * the real `kyverno apply` exactly what the validator exempts.
 */
const NOW = new Date('2025-01-01T00:00:00Z');
const covered = new Set(EXCEPTION_FORMS.flatMap((e) => e.policies));
// The policies the exceptions name, plus two that only the '*' exceptions cover.
const configs = restrictedAndHardening().filter(
  (c) => covered.has(c.policy.id) || ['disallow-host-ports', 'restrict-sysctls'].includes(c.policy.id),
);

describe('exceptions in kyverno apply against the validator', () => {
  it('compiles every form, reporting only what kyverno.io/v2 cannot say', () => {
    const { problems, cluster, validating } = buildExceptions(EXCEPTION_FORMS, configs, NOW);
    const live = EXCEPTION_FORMS.filter(
      (e) => e.expires === undefined || Date.parse(e.expires) > NOW.getTime(),
    );
    expect(validating.size).toBe(live.length);
    // kyverno.io/v2 exceptions have no images: image exceptions are baked into the ClusterPolicies' CEL.
    expect(cluster.size).toBe(live.filter((e) => e.match.images === undefined).length);
    expect(problems.filter((p) => !p.includes('exempts images') && !p.includes('expired'))).toEqual([]);
  });

  it(
    'exempts exactly what the validator exempts, in both policy kinds',
    async () => {
      const corpus = variedForExceptions([...fixtureCorpus(), ...generatedCorpus(300, 11)]);
      const report = await runKyvernoDifferential(configs, corpus, { exceptions: EXCEPTION_FORMS, now: NOW });
      console.log(
        `kyverno exceptions: ${report.objects} objects, ${report.evaluations} evaluations, ${report.denied} denied, ` +
          `${report.disagreements.length} disagreements, ${report.wallMs} ms`,
      );
      expect(report.denied).toBeGreaterThan(100);
      expect(report.disagreements.slice(0, 20).join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
