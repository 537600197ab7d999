import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import {
  differentialConfigs,
  EXCEPTION_FORMS as EXCEPTIONS,
  fixtureCorpus,
  generatedCorpus,
  variedForExceptions as varied,
} from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import type { Engine } from './engines.js';
import { buildGatekeeperForTest } from './testing/build.js';
import { runDifferential } from './testing/differential.js';

const NOW = new Date('2025-01-01T00:00:00Z');

describe.each<Engine>(['rego', 'cel'])('exceptions in gator (%s only) against the validator', (engine) => {
  it('exempts exactly what the validator exempts', { timeout: ENGINE_TEST_TIMEOUT_MS }, async () => {
    const configs = differentialConfigs();
    const { problems } = buildGatekeeperForTest({
      policies: configs,
      exceptions: EXCEPTIONS,
      fixtures: () => [],
      engines: [engine],
      now: NOW,
    });
    expect(problems.filter((p) => p.includes('exception'))).toEqual([]);
    const corpus = varied([...fixtureCorpus(), ...generatedCorpus(600, 7)]);
    const result = await runDifferential({
      configs,
      exceptions: EXCEPTIONS,
      corpus,
      engine,
      now: NOW,
      batches: 2,
      messages: engine === 'rego' ? 'exact' : 'split',
    });
    console.log(
      `exceptions (${engine} only): ${corpus.length} objects, ${result.pairs} results (${result.denied} denied), ` +
        `${result.disagreements.length} verdict and ${result.messageDisagreements.length} message disagreements; ` +
        `gator ${(result.gatorMs / 1000).toFixed(1)}s`,
    );
    expect(result.disagreements.slice(0, 5).join('\n\n')).toBe('');
    expect(result.messageDisagreements.slice(0, 5).join('\n\n')).toBe('');
  });
});
