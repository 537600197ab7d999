import { isExpired, type PolicyException } from '@palisade/core';
import {
  describeInputError,
  printable,
  type ReportFormat,
  reportChunks,
  type ValidationRun,
} from '@palisade/validator';
import { exceptionWarnings } from './exception-warnings.js';
import { loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { writeChunksToFile, writeChunksToStream } from './report-output.js';

/** What `validate` and `audit` share once they have a run: the exceptions they apply, the report, the exit code. */

/** The exceptions of `--config` and `--exceptions` files still in force; expired or expiring ones are warned of. */
export async function loadExceptions(
  files: readonly string[],
  maxFileSize: number,
  fromConfig: readonly PolicyException[],
  io: CliIO,
  now: Date,
): Promise<PolicyException[]> {
  const loaded = await loadExceptionFiles(files, maxFileSize);
  if (loaded.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${loaded.errors.map(printable).join('\n  ')}`);
  }
  const all = [...fromConfig, ...loaded.exceptions];
  for (const warning of exceptionWarnings(all, now)) {
    io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  }
  return all.filter((e) => !isExpired(e, now));
}

/** 0 nothing failed, 1 a policy failed, 2 an input could not be read or checked (wins over failures). */
export function exitCode(run: ValidationRun): number {
  if (run.errors.length > 0) return EXIT_USAGE_OR_INPUT;
  // An `error` result is a resource a policy cannot read (a field of the wrong type): bad input, not a finding.
  let failed = false;
  for (const resource of run.resources) {
    for (const result of resource.results) {
      if (result.status === 'error') return EXIT_USAGE_OR_INPUT;
      if (result.status === 'fail') failed = true;
    }
  }
  return failed ? EXIT_FAILURES : EXIT_OK;
}

/**
 * Writes the report to standard output or `output`; resolves with an exit code when it could not be written. Input
 * errors also go to stderr unless the text report on standard output already lists them.
 */
export async function writeRunReport(
  run: ValidationRun,
  options: { format: ReportFormat; output: string | undefined },
  io: CliIO,
): Promise<number | undefined> {
  const env = io.env ?? process.env;
  const color = options.output === undefined && io.stdout.isTTY === true && !env.NO_COLOR;
  const report = reportChunks(options.format, run, { color });
  if (options.output === undefined) await writeChunksToStream(report, io.stdout);
  else {
    try {
      writeChunksToFile(report, options.output);
    } catch (error) {
      io.stderr.write(
        `palisade: cannot write ${options.output}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      return EXIT_USAGE_OR_INPUT;
    }
  }
  // The text report lists input errors itself; machine-readable reports keep stdout clean, so say it here too.
  if (options.format !== 'text' || options.output !== undefined) {
    for (const error of run.errors) {
      io.stderr.write(`palisade: ${printable(`${describeInputError(error)}: ${error.message}`)}\n`);
    }
  }
  return undefined;
}
