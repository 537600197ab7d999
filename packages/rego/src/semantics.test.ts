import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { sampleIrCases } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { compareWithReference } from './testing/reference.js';

/** PALISADE_IR_SEED replays another sample; PALISADE_IR_RULES widens it (docs/ir-differential.md). */
const SEED = Number(process.env.PALISADE_IR_SEED ?? 7);
const RULES = Number(process.env.PALISADE_IR_RULES ?? 400);
const OBJECTS = Number(process.env.PALISADE_IR_OBJECTS ?? 6);

describe('compileRego on random IR', () => {
  it('agrees with the reference on random rules, resources and hostile parameters', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, () => {
    const cases = sampleIrCases({ unboundVars: true }, { rules: RULES, objectsPerRule: OBJECTS, seed: SEED });
    const result = compareWithReference(cases);
    const { compared, ...excluded } = result.counts;
    console.log(
      `random IR through opa (seed ${SEED}): ${cases.length} rules, ${result.evaluations} evaluations, ` +
        `${compared} compared (${result.denied} denied), excluded ${JSON.stringify(excluded)}, ` +
        `${result.failures.length} disagreements`,
    );
    expect(result.denied).toBeGreaterThan(RULES / 4);
    expect(result.failures[0] ?? '').toBe('');
  });
});
