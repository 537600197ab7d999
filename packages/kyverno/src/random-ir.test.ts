import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { CEL_EDGE_CASES, sampleIrCases } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { runKyvernoRandomIr } from './testing/random-ir.js';

/**
 * PALISADE_IR_SEED replays another sample; PALISADE_IR_KYVERNO_RULES and PALISADE_IR_OBJECTS widen it
 * (docs/ir-differential.md).
 */
const SEED = Number(process.env.PALISADE_IR_SEED ?? 7);
const RULES = Number(process.env.PALISADE_IR_KYVERNO_RULES ?? 100);
const OBJECTS = Number(process.env.PALISADE_IR_OBJECTS ?? 6);

describe('compileCel on random IR, through kyverno apply', () => {
  it('agrees with the validator as ValidatingPolicy and ClusterPolicy, and never errors', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const cases = sampleIrCases(
      { unboundVars: false },
      { rules: RULES, objectsPerRule: OBJECTS, seed: SEED },
    );
    const report = await runKyvernoRandomIr(cases, {
      batchSize: { ValidatingPolicy: 4, ClusterPolicy: 12 },
      width: 2,
    });
    const { compared, ...excluded } = report.counts;
    console.log(
      `random IR through kyverno (seed ${SEED}): ${report.rules} rules, ${report.evaluations} evaluations over ` +
        `both policy kinds, ${compared} pairs compared (${report.denied} denied, ${report.messagesNotCompared} ` +
        `messages not compared), excluded ${JSON.stringify(excluded)}, ${report.failures.length} failures; ` +
        `${report.runs} kyverno runs, ${(report.wallMs / 1000).toFixed(1)}s wall, ` +
        `${(report.summedMs / 1000).toFixed(1)}s summed; slowest ${report.slowest.join(', ')}`,
    );
    expect(report.denied).toBeGreaterThan(RULES / 4);
    expect(report.failures.slice(0, 3).join('\n\n')).toBe('');
  });

  it('agrees with the validator and never errors on the CEL edge cases', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const report = await runKyvernoRandomIr(
      CEL_EDGE_CASES.map((c) => c.case),
      { batchSize: { ValidatingPolicy: 5, ClusterPolicy: 5 }, width: 2 },
    );
    console.log(`CEL edge cases through kyverno: ${JSON.stringify(report.counts)}, ${report.denied} denied`);
    expect(report.counts.compared).toBeGreaterThan(15);
    expect(report.failures.join('\n\n')).toBe('');
  });
});
