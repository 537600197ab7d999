import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_TEST_TIMEOUT_MS, enginePath } from '@palisade/engines';
import {
  catalogueFixtures,
  differentialConfigs,
  fixtureCorpus,
  generatedCorpus,
  HOSTILE_EXCEPTION,
  HOSTILE_PARAMS,
  hostileObjects,
} from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Engine } from './engines.js';
import { buildGatekeeperForTest } from './testing/build.js';
import { runDifferential } from './testing/differential.js';
import { gatorVerifyAll, writeTree } from './testing/gator.js';

/**
 * Parameters and image exceptions are data: hostile strings in every string parameter and in image exception globs
 * leave the generated code compiling (`opa check --strict`, gator) and its verdicts equal to the validator's.
 */
const NOW = new Date('2025-01-01T00:00:00Z');
const configs = differentialConfigs(HOSTILE_PARAMS);
/** The suites worth running under hostile values: the parameterised policies and image-checking ones. */
const VERIFIED = [
  'restrict-image-registries',
  'require-runtime-class',
  'restrict-service-external-ips',
  'disallow-latest-tag',
  'disallow-privileged-containers',
];

function regoOf(template: unknown): { rego: string; libs: string[] } {
  const code = (template as { spec: { targets: { code: { engine: string; source: unknown }[] }[] } }).spec
    .targets[0]?.code;
  const entry = code?.find((c) => c.engine === 'Rego');
  if (!entry) throw new Error('no Rego code');
  return entry.source as { rego: string; libs: string[] };
}

describe('hostile parameters and exception globs', () => {
  const output = buildGatekeeperForTest({
    policies: configs,
    exceptions: [HOSTILE_EXCEPTION],
    fixtures: catalogueFixtures,
    now: NOW,
  });

  it('reach the constraints as data, and the Rego passes opa check --strict', {
    timeout: ENGINE_TEST_TIMEOUT_MS,
  }, () => {
    const constraint = parse(output.files.get('restrict-image-registries/constraint.yaml') ?? '');
    expect(constraint.spec.parameters).toEqual({
      ...(HOSTILE_PARAMS['restrict-image-registries'] as object),
      exemptImages: HOSTILE_EXCEPTION.match.images,
    });
    // Only fixtures whose verdict the hostile values change are reported; nothing about expressing them.
    expect(
      output.problems.filter((p) => !p.includes('left out of the suite') && !p.startsWith('profile ')),
    ).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'palisade-gk-opa-'));
    try {
      const templates = [...output.files].filter(([p]) => p.endsWith('/template.yaml'));
      for (const [path, text] of templates) {
        const { rego, libs } = regoOf(parse(text));
        writeFileSync(join(dir, `${path.split('/')[0]}.rego`), rego);
        libs.forEach((lib, i) => {
          writeFileSync(join(dir, `lib-${i}.rego`), lib);
        });
      }
      execFileSync(enginePath('opa'), ['check', '--strict', dir], { encoding: 'utf8', stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each<Engine>(['rego', 'cel'])(
    'pass gator verify with %s-only templates',
    { timeout: ENGINE_TEST_TIMEOUT_MS },
    async (engine) => {
      const { files } = buildGatekeeperForTest({
        policies: configs.filter((c) => VERIFIED.includes(c.policy.id)),
        exceptions: [HOSTILE_EXCEPTION],
        fixtures: catalogueFixtures,
        engines: [engine],
        now: NOW,
      });
      const dir = writeTree(files, `palisade-gk-hostile-${engine}-`);
      const run = await gatorVerifyAll(VERIFIED.map((id) => join(dir, id)));
      expect(run.ok, run.output).toBe(true);
    },
  );

  it.each<Engine>(['rego', 'cel'])(
    'give the validator verdicts with %s-only templates',
    { timeout: ENGINE_TEST_TIMEOUT_MS },
    async (engine) => {
      const corpus = [...fixtureCorpus(), ...generatedCorpus(300, 99), ...hostileObjects()];
      const result = await runDifferential({
        configs,
        exceptions: [HOSTILE_EXCEPTION],
        corpus,
        engine,
        now: NOW,
        batches: 2,
        messages: engine === 'rego' ? 'exact' : 'split',
      });
      console.log(
        `hostile (${engine} only): ${corpus.length} objects, ${result.pairs} results (${result.denied} denied), ` +
          `${result.disagreements.length} verdict and ${result.messageDisagreements.length} message disagreements`,
      );
      expect(result.disagreements.slice(0, 5).join('\n\n')).toBe('');
      expect(result.messageDisagreements.slice(0, 5).join('\n\n')).toBe('');
    },
  );
});
