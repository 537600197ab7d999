import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { differentialConfigs, fixtureCorpus, generatedCorpus } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import type { Engine } from './engines.js';
import { runDifferential } from './testing/differential.js';

/** PALISADE_CORPUS_SEED replays another generated corpus. */
const SEED = Number(process.env.PALISADE_CORPUS_SEED ?? 20250101);

/**
 * Differential proof: the fixture corpus and 2000 generated objects, evaluated by gator with Rego-only templates,
 * by gator with CEL-only templates and by the validator (restricted profile and every hardening policy), give the
 * same verdict for every policy on every object. Messages agree too
 * (Rego: one per violation; CEL: one per check, its violations joined by "; ").
 */
describe.each<Engine>(['rego', 'cel'])('gator (%s only) against the validator', (engine) => {
  it('gives identical verdicts per policy on the fixture and generated corpora', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, async () => {
    const corpus = [...fixtureCorpus(), ...generatedCorpus(2000, SEED)];
    const result = await runDifferential({
      configs: differentialConfigs(),
      exceptions: [],
      corpus,
      engine,
      now: new Date('2025-01-01T00:00:00Z'),
      batches: 2,
      messages: engine === 'rego' ? 'exact' : 'split',
    });
    console.log(
      `differential (${engine} only, seed ${SEED}): ${corpus.length} objects, ${result.pairs} (object, policy) results ` +
        `(${result.denied} denied), ${result.disagreements.length} verdict and ` +
        `${result.messageDisagreements.length} message disagreements; gator ${(result.gatorMs / 1000).toFixed(1)}s ` +
        `wall for ${result.batchMs.length} concurrent batches (${result.batchMs.map((ms) => `${(ms / 1000).toFixed(1)}s`).join(', ')})`,
    );
    expect(result.pairs).toBeGreaterThan(40_000);
    expect(result.disagreements.slice(0, 5).join('\n\n')).toBe('');
    expect(result.messageDisagreements.slice(0, 5).join('\n\n')).toBe('');
  });
});
