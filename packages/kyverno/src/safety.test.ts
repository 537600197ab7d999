import { fixtureCorpus, HOSTILE_EXCEPTION, HOSTILE_PARAMS, hostileObjects } from '@palisade/policies/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildKyvernoOutput } from './output.js';
import { differentialConfigs } from './testing/catalogue.js';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Parameters and image exceptions are data: hostile strings (quotes, line breaks, CEL and YAML syntax) in every
 * string parameter and in image exception globs leave the generated policies valid for the real Kyverno CLI and
 * their verdicts equal to the validator's.
 */
const NOW = new Date('2025-01-01T00:00:00Z');
const PARAMETERISED = ['restrict-image-registries', 'require-runtime-class', 'restrict-service-external-ips'];
const configs = differentialConfigs(HOSTILE_PARAMS).filter((c) => PARAMETERISED.includes(c.policy.id));

describe('hostile parameters and exception globs (real kyverno apply)', () => {
  it('arrive in the policies as literal values, never as expression text', () => {
    const output = buildKyvernoOutput({ policies: configs, exceptions: [HOSTILE_EXCEPTION], now: NOW });
    const policy = parse(output.files.get('validating-policies/require-runtime-class/policy.yaml') ?? '');
    const params = policy.spec.variables.find((v: { name: string }) => v.name === 'params');
    // The whole parameter object is one literal: every hostile string is inside a CEL string literal.
    expect(params.expression.startsWith('{')).toBe(true);
    // Kyverno reads `{{ … }}` anywhere in a ClusterPolicy rule as a JMESPath variable: none may appear there (CEL
    // policies and their exceptions are not substituted; the differential below runs them with the raw strings).
    for (const [path, content] of output.files) {
      if (path.startsWith('cluster-policies/')) expect(content, path).not.toContain('{{');
    }
    const exception = [...output.files].find(
      ([path]) => path.startsWith('exceptions/validating-policies/') && !path.endsWith('/kustomization.yaml'),
    );
    // A name Kubernetes would refuse becomes a valid one; the original is kept in an annotation.
    expect(exception?.[0]).toMatch(
      /^exceptions\/validating-policies\/hostile-name-not-a-comment-[0-9a-f]{10}\.yaml$/,
    );
    const doc = parse(exception?.[1] ?? '');
    expect(doc.metadata.annotations['palisade.dev/exception']).toBe(HOSTILE_EXCEPTION.name);
    expect(doc.spec.images).toEqual(HOSTILE_EXCEPTION.match.images);
  });

  it('give the validator verdicts on hostile objects and the fixtures, with and without the hostile exception', async () => {
    const corpus = [...hostileObjects(), ...fixtureCorpus()];
    const plain = await runKyvernoDifferential(configs, corpus, { now: NOW });
    const excepted = await runKyvernoDifferential(configs, corpus, {
      exceptions: [HOSTILE_EXCEPTION],
      now: NOW,
    });
    console.log(
      `kyverno hostile differential: ${plain.evaluations + excepted.evaluations} evaluations, ` +
        `${plain.denied}/${excepted.denied} denied (without/with the image exception)`,
    );
    expect(plain.denied).toBeGreaterThan(20);
    expect(excepted.denied).toBeLessThan(plain.denied);
    expect([...plain.disagreements, ...excepted.disagreements].slice(0, 20).join('\n')).toBe('');
  }, 1_800_000);
});
