#!/usr/bin/env node
import { run } from './index.js';

/**
 * A reader that stops early (`palisade validate … | head`) closes the pipe: the rest of the report has nowhere to
 * go, which is no error of ours, and the exit code still says what was found. Any other failure to write standard
 * output (a full disk) is an input/output error: exit code 2, never a verdict.
 */
let stdoutFailed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') return;
  if (!stdoutFailed) process.stderr.write(`palisade: cannot write standard output: ${error.message}\n`);
  stdoutFailed = true;
});

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then(
  (code) => {
    process.exitCode = stdoutFailed ? 2 : code;
  },
  (error: unknown) => {
    process.stderr.write(
      `palisade: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  },
);
