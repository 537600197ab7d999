import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { CEL_EDGE_CASES } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { runGatorRandomIr } from './testing/random-ir.js';

/** The random-IR differential's minimal CEL cases (policies/testing/ir-edge-cases.ts), through gator. */
describe('compileCel edge cases through gator (K8sNativeValidation)', () => {
  it('agrees with the validator and never errors on each case', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const report = await runGatorRandomIr(
      CEL_EDGE_CASES.map((c) => c.case),
      1,
    );
    console.log(`CEL edge cases through gator: ${JSON.stringify(report.counts)}, ${report.denied} denied`);
    expect(report.counts.compared).toBeGreaterThan(15);
    expect(report.failures.join('\n\n')).toBe('');
  });
});
