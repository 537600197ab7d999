#!/usr/bin/env node
// The soak run: the corpus-driven differential tests with corpora several times CI's, and seeds that change every
// day, so each soak explores objects no earlier run has. Not part of `pnpm test` or CI (hours on 2 cores).
// Every knob is printed first; a failure reproduces with those values, e.g.
//   PALISADE_KYVERNO_CORPUS=8000 PALISADE_KYVERNO_SEED=20261202 pnpm exec vitest run packages/kyverno/src/differential.test.ts
// A knob already set in the environment wins; arguments go to vitest (a file path runs only that file).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');

/** Name → value; CI's values (the tests' defaults) are in docs/testing.md. */
const knobs = {
  PALISADE_KYVERNO_CORPUS: '8000',
  PALISADE_KYVERNO_SEED: day,
  PALISADE_VAP_CORPUS: '10000',
  PALISADE_VAP_SEED: day,
  PALISADE_CORPUS_SEED: day,
  PALISADE_IR_SEED: day,
  PALISADE_IR_RULES: '2000',
  PALISADE_IR_KYVERNO_RULES: '500',
  PALISADE_IR_CEL_RULES: '1500',
  PALISADE_IR_OBJECTS: '12',
  PALISADE_ORACLE_PODS: '100000',
  PALISADE_ORACLE_SEED: day,
  PALISADE_YAML_FUZZ_RUNS: '30000',
  PALISADE_YAML_FUZZ_SEED: day,
  // The engine tests' hang guard, raised to match the corpora: 6 hours.
  PALISADE_ENGINE_TEST_TIMEOUT_MS: String(6 * 3_600_000),
};

const files = [
  'packages/kyverno/src/differential.test.ts',
  'packages/kyverno/src/random-ir.test.ts',
  'packages/vap/src/apiserver.test.ts',
  'packages/gatekeeper/src/gator-differential.test.ts',
  'packages/gatekeeper/src/random-ir-cel.test.ts',
  'packages/rego/src/semantics.test.ts',
  'policies/pss-oracle.test.ts',
  'packages/validator/src/manifests.differential.test.ts',
  'packages/validator/src/manifests.syntax-errors.test.ts',
];

const env = { ...process.env };
for (const [name, value] of Object.entries(knobs)) env[name] ??= value;
console.log('soak knobs (rerun a failure with these):');
for (const name of Object.keys(knobs)) console.log(`  ${name}=${env[name]}`);

const args = process.argv.slice(2);
const runTests = fileURLToPath(new URL('run-tests.mjs', import.meta.url));
const run = spawnSync(process.execPath, [runTests, ...(args.length > 0 ? args : files)], {
  stdio: 'inherit',
  env,
});
process.exit(run.status ?? 1);
