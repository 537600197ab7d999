import { join } from 'node:path';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogueConfigs, catalogueFixtures, PROC_MOUNT_PROFILE_NOTE } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import type { Engine } from './engines.js';
import { buildGatekeeperForTest } from './testing/build.js';
import { gatorVerifyAll, writeTree } from './testing/gator.js';

/**
 * Proof with the real gator: every generated suite passes `gator verify`, with templates carrying only the CEL
 * engine and then only the Rego engine, so each engine is proven on its own.
 */
describe.each<Engine>(['rego', 'cel'])('gator verify with %s-only templates', (engine) => {
  it('passes every generated suite of the catalogue', { timeout: ENGINE_TEST_TIMEOUT_MS }, async () => {
    const configs = catalogueConfigs();
    const output = buildGatekeeperForTest({
      policies: configs,
      exceptions: [],
      fixtures: catalogueFixtures,
      engines: [engine],
      now: new Date('2025-01-01T00:00:00Z'),
    });
    expect(output.problems).toEqual([PROC_MOUNT_PROFILE_NOTE]);
    const suites = [...output.files.keys()].filter((p) => p.endsWith('/suite.yaml'));
    expect(suites).toHaveLength(configs.length);
    const cases = [...output.files]
      .filter(([p]) => p.endsWith('/suite.yaml'))
      .reduce((n, [, text]) => n + (text.match(/^ {6}- name: /gm)?.length ?? 0), 0);

    const dir = writeTree(output.files, `palisade-gk-verify-${engine}-`);
    const run = await gatorVerifyAll(suites.map((s) => join(dir, s.split('/')[0] as string)));
    console.log(
      `gator verify (${engine} only): ${suites.length} suites, ${cases} cases, ${(run.ms / 1000).toFixed(1)}s on 2 cores`,
    );
    expect(run.ok, run.output).toBe(true);
    expect(run.output).not.toMatch(/FAIL/);
  });
});
