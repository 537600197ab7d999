import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { sampleIrCases } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { runGatorRandomIr } from './testing/random-ir.js';

/** PALISADE_IR_SEED replays another sample; PALISADE_IR_CEL_RULES widens it (docs/ir-differential.md). */
const SEED = Number(process.env.PALISADE_IR_SEED ?? 7);
const RULES = Number(process.env.PALISADE_IR_CEL_RULES ?? 300);
const OBJECTS = Number(process.env.PALISADE_IR_OBJECTS ?? 6);

describe('compileCel on random IR, through gator (K8sNativeValidation)', () => {
  it('agrees with the validator on random rules, resources and hostile parameters, and never errors', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const cases = sampleIrCases(
      { unboundVars: false },
      { rules: RULES, objectsPerRule: OBJECTS, seed: SEED },
    );
    const started = performance.now();
    const report = await runGatorRandomIr(cases, 2);
    const { compared, ...excluded } = report.counts;
    console.log(
      `random IR through gator CEL (seed ${SEED}): ${report.rules} rules, ${report.evaluations} evaluations, ` +
        `${compared} compared (${report.denied} denied, ${report.messagesNotCompared} messages not compared), ` +
        `excluded ${JSON.stringify(excluded)}, ${report.failures.length} failures; gator ` +
        `${(report.gatorMs / 1000).toFixed(1)}s, total ${((performance.now() - started) / 1000).toFixed(1)}s`,
    );
    expect(report.denied).toBeGreaterThan(RULES / 4);
    expect(report.failures.slice(0, 3).join('\n\n')).toBe('');
  });
});
