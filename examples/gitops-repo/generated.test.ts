import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_TEST_TIMEOUT_MS, enginePath } from '@palisade/engines';
import { describe, expect, it } from 'vitest';

/**
 * The committed output of `palisade build --config palisade.config.ts --out generated` (kept current by the CLI's
 * `build --check` test) runs in the real engines: the repository's own policy and its configured catalogue
 * policies, with their parameters and exceptions, pass their generated suites in gator and in the Kyverno CLI.
 */

const generated = join(import.meta.dirname, 'generated');

function engine(tool: 'gator' | 'kyverno', args: string[]) {
  const result = spawnSync(enginePath(tool), args, { encoding: 'utf8', input: '', maxBuffer: 1 << 28 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('generated policies of the example repository, in the real engines', () => {
  it(
    'gator verify passes every Gatekeeper suite (Rego and CEL in each template)',
    () => {
      const suites = readdirSync(join(generated, 'gatekeeper')).filter((d) => d !== 'profiles');
      expect(suites).toContain('require-team-label');
      const run = engine('gator', ['verify', `${join(generated, 'gatekeeper')}/...`]);
      expect(run.output).not.toMatch(/FAIL/);
      expect(run.code).toBe(0);
      // gator compiles every template's Rego and CEL; beside the other engine tests on 2 cores it has taken over 60 s.
    },
    ENGINE_TEST_TIMEOUT_MS,
  );

  it(
    'kyverno test passes every ClusterPolicy and ValidatingPolicy test folder',
    () => {
      for (const kind of ['cluster-policies', 'validating-policies']) {
        const run = engine('kyverno', [
          'test',
          join(generated, 'kyverno', kind),
          '--require-tests',
          '--remove-color',
        ]);
        expect(run.output).toMatch(/Test Summary: \d+ tests passed and 0 tests failed/);
        expect(run.output).not.toMatch(/tests? failed(?<!0 tests failed)/);
        expect(run.code).toBe(0);
      }
    },
    ENGINE_TEST_TIMEOUT_MS,
  );
});
