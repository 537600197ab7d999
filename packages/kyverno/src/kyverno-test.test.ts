import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_TEST_TIMEOUT_MS } from '@palisade/engines';
import { catalogueConfigs, catalogueFixtures, writeFiles } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { buildKyvernoForTest } from './testing/build.js';
import { kyverno, pool } from './testing/cli.js';

describe('kyverno test on the generated test folders (real CLI)', () => {
  it(
    'passes for every catalogue policy, as a ClusterPolicy and as a ValidatingPolicy',
    async () => {
      const output = buildKyvernoForTest({
        policies: catalogueConfigs(),
        exceptions: [],
        kyvernoVersion: '1.19.0',
        kubernetesVersion: '1.34',
        fixtures: catalogueFixtures,
      });
      // Each policy on its own resolves disallow-proc-mount to its baseline check, which the restricted profile
      // replaces: the profile kustomization says so rather than pointing at another rule silently.
      expect(output.problems).toEqual([
        'profile restricted: policy disallow-proc-mount is generated from procMount, but the profile uses procMount_restricted',
      ]);
      const root = writeFiles(output.files);
      const folders = ['cluster-policies', 'validating-policies'].flatMap((kind) =>
        readdirSync(join(root, kind)).map((id) => join(root, kind, id)),
      );
      expect(folders.length).toBeGreaterThan(50);
      const started = performance.now();
      const runs = await pool(folders, 2, async (dir) => ({
        dir,
        run: await kyverno(['test', dir, '--require-tests', '--remove-color']),
      }));
      console.log(`kyverno test: ${folders.length} folders in ${Math.round(performance.now() - started)} ms`);
      const failures = runs.filter(
        ({ run }) => run.code !== 0 || !/Test Summary: \d+ tests passed and 0 tests failed/.test(run.stdout),
      );
      expect(failures.map(({ dir, run }) => `${dir}\n${run.stdout}\n${run.stderr}`).join('\n')).toBe('');
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
