import { writeFileSync } from 'node:fs';
import {
  EXCEPTION_API_VERSION,
  exceptionFromDocument,
  isExpired,
  type PolicyException,
  type ResolvedPolicy,
  selectPolicies,
} from '@palisade/core';
import { catalogue } from '@palisade/policies';
import {
  type CheckedResource,
  checkResource,
  describeInputError,
  findManifestFiles,
  formatReport,
  type InputError,
  iterateManifestFile,
  type ManifestResource,
  printable,
  uncheckable,
  type ValidationRun,
  Validator,
} from '@palisade/validator';
import { loadConfigFile } from './config-file.js';
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

async function exceptionsFor(
  options: ValidateOptions,
  fromConfig: readonly PolicyException[],
  io: CliIO,
  now: Date,
): Promise<PolicyException[]> {
  const loaded = await loadExceptionFiles(options.exceptionFiles, options.maxFileSize);
  if (loaded.errors.length > 0) {
    throw new UsageError(`invalid exceptions:\n  ${loaded.errors.map(printable).join('\n  ')}`);
  }
  const all = [...fromConfig, ...loaded.exceptions];
  for (const warning of exceptionWarnings(all, now)) {
    io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  }
  return all.filter((e) => !isExpired(e, now));
}

interface Checked {
  resources: CheckedResource[];
  errors: InputError[];
}

interface Loaded {
  resources: ManifestResource[];
  /** `palisade.dev/v1alpha1` PolicyException documents found among the manifests (e.g. emitted by cdk8s). */
  exceptions: PolicyException[];
  errors: InputError[];
}

const isExceptionDocument = (resource: ManifestResource) =>
  resource.apiVersion === EXCEPTION_API_VERSION && resource.kind === 'PolicyException';

async function loadInputs(options: ValidateOptions, io: CliIO): Promise<Loaded> {
  const found = findManifestFiles(options.paths);
  const loaded: Loaded = { resources: [], exceptions: [], errors: [...found.errors] };
  const showProgress = io.stdout.isTTY === true && io.stderr.isTTY === true;
  const progress = new Progress(io.stderr, found.files.length, showProgress);
  const loadOptions = { maxFileSize: options.maxFileSize, ...(io.stdin ? { stdin: io.stdin } : {}) };
  let done = 0;
  for (const file of found.files) {
    for await (const entry of iterateManifestFile(file, loadOptions)) {
      if (entry.error) loaded.errors.push(entry.error);
      else if (!isExceptionDocument(entry.resource)) loaded.resources.push(entry.resource);
      else {
        // Exceptions travel with the manifests they except, so GitOps repos and cdk8s output need no extra flag.
        try {
          loaded.exceptions.push(exceptionFromDocument(entry.resource.object));
        } catch (error) {
          const { file: where, document, line } = entry.resource;
          const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
          loaded.errors.push({ file: where, document, line, message: `invalid PolicyException: ${reason}` });
        }
      }
    }
    progress.update(++done);
  }
  progress.clear();
  return loaded;
}

function checkResources(validator: Validator, loaded: Loaded): Checked {
  const checked: Checked = { resources: [], errors: [...loaded.errors] };
  for (const resource of loaded.resources) {
    try {
      checked.resources.push(checkResource(resource, validator.validate(resource.object)));
    } catch (error) {
      checked.errors.push(uncheckable(resource, error));
    }
  }
  return checked;
}

function exitCode(run: ValidationRun): number {
  if (run.errors.length > 0) return EXIT_USAGE_OR_INPUT;
  // An `error` result is a resource a policy cannot read (a field of the wrong type): bad input, not a finding.
  const results = run.resources.flatMap((r) => r.results);
  if (results.some((result) => result.status === 'error')) return EXIT_USAGE_OR_INPUT;
  return results.some((result) => result.status === 'fail') ? EXIT_FAILURES : EXIT_OK;
}

export async function validateCommand(argv: readonly string[], io: CliIO): Promise<number> {
  const options = parseValidateOptions(argv);
  if (options.help) {
    io.stdout.write(VALIDATE_USAGE);
    return EXIT_OK;
  }
  const now = io.now?.() ?? new Date();
  const config =
    options.config === undefined ? undefined : await loadConfigFile(options.config, options.maxFileSize);
  const policies = config?.policies ?? selectedPolicies(options);
  const exceptions = await exceptionsFor(options, config?.exceptions ?? [], io, now);
  const loaded = await loadInputs(options, io);
  for (const warning of exceptionWarnings(loaded.exceptions, now)) {
    io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  }
  const validator = new Validator({ policies, exceptions: [...exceptions, ...loaded.exceptions], now });
  const checked = checkResources(validator, loaded);
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
