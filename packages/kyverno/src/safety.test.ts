import type { PolicyConfig } from '@palisade/core';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import {
  fixtureCorpus,
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  HOSTILE_RESOURCE_EXCEPTION,
  HOSTILE_STRINGS,
  hostileObjects,
  KYVERNO_SYNTAX,
  restrictedAndHardening,
} from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildKyvernoForTest } from './testing/build.js';
import { runKyvernoDifferential } from './testing/differential.js';

/**
 * Parameters and image exceptions are data: hostile strings (quotes, line breaks, CEL, YAML and Kyverno syntax) in
 * every string parameter and in image exception globs leave the generated policies valid for the real Kyverno CLI
 * (none skipped: the harness fails when `kyverno apply` skips a policy) and their verdicts equal to the validator's.
 */
const NOW = new Date('2025-01-01T00:00:00Z');
const PARAMETERISED = ['restrict-image-registries', 'require-runtime-class', 'restrict-service-external-ips'];
const configs = restrictedAndHardening(HOSTILE_PARAMS).filter((c) => PARAMETERISED.includes(c.policy.id));

describe('hostile parameters and exception globs (real kyverno apply)', () => {
  it('arrive in the policies as literal values, never as expression text', () => {
    const output = buildKyvernoForTest({ policies: configs, exceptions: [HOSTILE_EXCEPTION], now: NOW });
    const policy = parse(output.files.get('validating-policies/require-runtime-class/policy.yaml') ?? '');
    const params = policy.spec.variables.find((v: { name: string }) => v.name === 'params');
    // The whole parameter object is one literal: every hostile string is inside a CEL string literal.
    expect(params.expression.startsWith('{')).toBe(true);
    // Kyverno reads `{{ … }}` (a variable) and `$( … )` (a reference) in a ClusterPolicy: neither may appear there
    // (inert.test.ts checks every string of every document).
    for (const [path, content] of output.files) {
      if (path.startsWith('cluster-policies/')) expect(content, path).not.toMatch(/\{\{|\$\(/);
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

  it(
    'give the validator verdicts on hostile objects and the fixtures, with and without the hostile exception',
    async () => {
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
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it(
    'give the validator verdicts when the policy text, namespace globs and resource exceptions are Kyverno syntax',
    async () => {
      // A project's own policy may say anything in its title and remediation (the ClusterPolicy's message and
      // annotations, which Kyverno scans), and its match any glob (the ClusterPolicy's match and exclude).
      const text = HOSTILE_STRINGS.join(' ');
      const hostileText = configs.map(
        (c): PolicyConfig => ({
          ...c,
          policy: { ...c.policy, title: text, description: text, remediation: text },
          match: { ...c.policy.match, excludedNamespaces: [...KYVERNO_SYNTAX] },
        }),
      );
      const corpus = [
        ...hostileObjects(),
        ...fixtureCorpus().filter((f) => PARAMETERISED.some((id) => f.id.startsWith(`${id}--`))),
      ];
      const report = await runKyvernoDifferential(hostileText, corpus, {
        exceptions: [HOSTILE_RESOURCE_EXCEPTION],
        now: NOW,
      });
      console.log(
        `kyverno hostile text: ${report.evaluations} evaluations, ${report.denied} denied, ${report.wallMs} ms`,
      );
      expect(report.denied).toBeGreaterThan(10);
      expect(report.disagreements.slice(0, 20).join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
