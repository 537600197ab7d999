import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exemptArbitrary,
  paramsArbitrary,
  resourceArbitrary,
  ruleArbitrary,
} from './testing/ir-arbitraries.js';
import { compareWithReference } from './testing/reference.js';

/** Objects are given sorted keys: the reference prints object values in insertion order, Rego in key order. */
function sortKeys(value: Record<string, unknown>): Record<string, unknown>;
function sortKeys(value: unknown): unknown;
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => [k, sortKeys(v)]),
  );
}

const sample = fc.record({
  rule: ruleArbitrary,
  objects: fc.array(resourceArbitrary, { minLength: 1, maxLength: 6 }),
  params: paramsArbitrary,
  exempt: exemptArbitrary,
});

describe('compileRego on random IR', () => {
  it('agrees with the reference on random rules, resources and hostile parameters', () => {
    // RANDOM_IR_SEED / RANDOM_IR_RUNS replay or widen a run.
    const seed = Number(process.env.RANDOM_IR_SEED ?? 7);
    const samples = fc.sample(sample, { numRuns: Number(process.env.RANDOM_IR_RUNS ?? 500), seed });
    const result = compareWithReference(
      samples.map((s) => ({
        rule: s.rule,
        objects: s.objects.map((o) => sortKeys(o)),
        params: s.params,
        exempt: s.exempt,
      })),
    );
    console.log(
      `random IR (seed ${seed}): ${result.evaluations} evaluations (${result.denied} denied, ${result.excluded} excluded as type mismatches), ${result.failures.length} disagreements`,
    );
    expect(result.denied).toBeGreaterThan(100);
    expect(result.failures[0] ?? '').toBe('');
  });
});
