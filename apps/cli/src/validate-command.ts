import { writeFileSync } from 'node:fs';
import { isExpired, type PolicyException, type ResolvedPolicy, selectPolicies } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import {
  type CheckedResource,
  checkResource,
  describeInputError,
  findManifestFiles,
  formatReport,
  type InputError,
  iterateManifestFile,
  printable,
  uncheckable,
  type ValidationRun,
  Validator,
} from '@palisade/validator';
import { exceptionWarnings } from './exception-warnings.js';
import { loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { Progress } from './progress.js';
import { VALIDATE_USAGE } from './usage.js';
import { parseValidateOptions, type ValidateOptions } from './validate-options.js';
import { cliVersion } from './version.js';

/** `palisade validate`: load manifests, check them, report, and exit 0 (clean), 1 (failures) or 2 (input errors). */

function selectedPolicies(options: ValidateOptions): ResolvedPolicy[] {
  // Without a profile or explicit policies, check everything the restricted profile covers.
  const profile = options.profile ?? (options.include.length === 0 ? 'restricted' : undefined);
  try {
    return selectPolicies(catalogue, {
      profile,
      include: options.include,
      exclude: options.exclude,
      version: options.pssVersion,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message}; run 'palisade policies' to list them`);
  }
}

async function exceptionsFor(options: ValidateOptions, io: CliIO, now: Date): Promise<PolicyException[]> {
  const loaded = await loadExceptionFiles(options.exceptionFiles, options.maxFileSize);
  if (loaded.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${loaded.errors.map(printable).join('\n  ')}`);
  }
  for (const warning of exceptionWarnings(loaded.exceptions, now)) {
    io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  }
  return loaded.exceptions.filter((e) => !isExpired(e, now));
}

interface Checked {
  resources: CheckedResource[];
  errors: InputError[];
}

async function checkManifests(validator: Validator, options: ValidateOptions, io: CliIO): Promise<Checked> {
  const found = findManifestFiles(options.paths);
  const resources: CheckedResource[] = [];
  const errors: InputError[] = [...found.errors];
  const showProgress = io.stdout.isTTY === true && io.stderr.isTTY === true;
  const progress = new Progress(io.stderr, found.files.length, showProgress);
  const loadOptions = { maxFileSize: options.maxFileSize, ...(io.stdin ? { stdin: io.stdin } : {}) };
  let done = 0;
  for (const file of found.files) {
    // Each resource is checked as soon as it is parsed, so a large file's syntax trees never pile up in memory.
    for await (const entry of iterateManifestFile(file, loadOptions)) {
      if (entry.error) {
        errors.push(entry.error);
        continue;
      }
      const { resource } = entry;
      try {
        resources.push(checkResource(resource, validator.validate(resource.object)));
      } catch (error) {
        errors.push(uncheckable(resource, error));
      }
    }
    progress.update(++done);
  }
  progress.clear();
  return { resources, errors };
}

function exitCode(run: ValidationRun): number {
  if (run.errors.length > 0) return EXIT_USAGE_OR_INPUT;
  const failed = run.resources.some((r) =>
    r.results.some((result) => result.status === 'fail' || result.status === 'error'),
  );
  return failed ? EXIT_FAILURES : EXIT_OK;
}

export async function validateCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseValidateOptions(argv);
  if (options.help) {
    io.stdout.write(VALIDATE_USAGE);
    return EXIT_OK;
  }
  const now = io.now?.() ?? new Date();
  const policies = selectedPolicies(options);
  const exceptions = await exceptionsFor(options, io, now);
  const validator = new Validator({ policies, exceptions, now });
  const checked = await checkManifests(validator, options, io);
  const run: ValidationRun = {
    metadata: {
      tool: { name: 'palisade', version: cliVersion() },
      timestamp: now,
      policies: validator.policies,
    },
    ...checked,
  };
  const env = io.env ?? process.env;
  const color = options.output === undefined && io.stdout.isTTY === true && !env.NO_COLOR;
  const report = formatReport(options.format, run, { color });
  if (options.output === undefined) io.stdout.write(report);
  else {
    try {
      writeFileSync(options.output, report);
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
  return exitCode(run);
}
