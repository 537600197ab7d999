#!/usr/bin/env node
// Runs the whole vitest suite and ends with a plain "N passed, N failed" line, which CI reads to know tests ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const report = join(mkdtempSync(join(tmpdir(), 'palisade-vitest-')), 'report.json');
const args = [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync('pnpm', ['exec', ...args], { stdio: 'inherit' });
let summary = 'tests: no report was written';
try {
  const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = JSON.parse(
    readFileSync(report, 'utf8'),
  );
  summary = `tests: ${numPassedTests} passed, ${numFailedTests} failed`;
  if (numPendingTests + numTodoTests > 0) summary += `, ${numPendingTests + numTodoTests} skipped`;
} catch {}
console.log(summary);
process.exit(run.status ?? 1);
