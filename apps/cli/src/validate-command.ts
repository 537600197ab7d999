import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EXCEPTION_API_VERSION,
  exceptionFromDocument,
  isExpired,
  type PolicyException,
} from '@palisade/core';
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
  STDIN_NAME,
  STDIN_PATH,
  uncheckable,
  type ValidationRun,
  Validator,
} from '@palisade/validator';
import { exceptionWarnings } from './exception-warnings.js';
import { invalidException, loadExceptionFiles } from './exceptions-file.js';
import { type CliIO, EXIT_FAILURES, EXIT_OK, EXIT_USAGE_OR_INPUT, UsageError } from './io.js';
import { Progress } from './progress.js';
import { resolveSelection } from './selection.js';
import { VALIDATE_USAGE } from './usage.js';
import { parseValidateOptions, type ValidateOptions } from './validate-options.js';
import { cliVersion } from './version.js';

/** `palisade validate`: load manifests, check them, report, and exit 0 (clean), 1 (failures) or 2 (input errors). */

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

/** The files each path argument expands to, loaded once each even when several paths name them. */
function findInputs(paths: readonly string[]) {
  const key = (file: string) => (file === STDIN_PATH ? file : resolve(file));
  const files: string[] = [];
  const errors: InputError[] = [];
  const perPath: { path: string; files: string[]; failed: boolean }[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const found = findManifestFiles([path]);
    errors.push(...found.errors);
    perPath.push({ path, files: found.files.map(key), failed: found.errors.length > 0 });
    for (const file of found.files) {
      if (seen.has(key(file))) continue;
      seen.add(key(file));
      files.push(file);
    }
  }
  return { files, errors, perPath, key };
}

async function loadInputs(options: ValidateOptions, io: CliIO): Promise<Loaded> {
  const found = findInputs(options.paths);
  const loaded: Loaded = { resources: [], exceptions: [], errors: [...found.errors] };
  const showProgress = io.stdout.isTTY === true && io.stderr.isTTY === true;
  const progress = new Progress(io.stderr, found.files.length, showProgress);
  const loadOptions = { maxFileSize: options.maxFileSize, ...(io.stdin ? { stdin: io.stdin } : {}) };
  /** Files that gave at least one document (resource or exception) or an error of their own. */
  const productive = new Set<string>();
  let done = 0;
  for (const file of found.files) {
    for await (const entry of iterateManifestFile(file, loadOptions)) {
      productive.add(found.key(file));
      if (entry.error) loaded.errors.push(entry.error);
      else if (!isExceptionDocument(entry.resource)) loaded.resources.push(entry.resource);
      else {
        // Exceptions travel with the manifests they except, so GitOps repos and cdk8s output need no extra flag.
        try {
          loaded.exceptions.push(exceptionFromDocument(entry.resource.object));
        } catch (error) {
          loaded.errors.push(invalidException(entry.resource, error));
        }
      }
    }
    progress.update(++done);
  }
  progress.clear();
  // A CI job pointed at an empty folder or a mistyped path must not pass for want of input. A path that already
  // failed (unreadable, malformed) is reported by that error alone.
  if (!options.allowEmpty) {
    for (const { path, files, failed } of found.perPath) {
      if (failed || files.some((f) => productive.has(f))) continue;
      loaded.errors.push({
        file: path === STDIN_PATH ? STDIN_NAME : path,
        message: `no Kubernetes resources found${files.length === 0 ? ' (no .yaml, .yml or .json file)' : ''}; pass --allow-empty if that is expected`,
      });
    }
  }
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
  const selection = await resolveSelection(options.selection, options.maxFileSize);
  for (const warning of selection.warnings) io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  const { policies } = selection;
  const exceptions = await exceptionsFor(options, selection.exceptions, io, now);
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
