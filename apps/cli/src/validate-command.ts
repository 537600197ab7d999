import { resolve } from 'node:path';
import { EXCEPTION_API_VERSION, exceptionFromDocument, type PolicyException } from '@palisade/core';
import {
  type CheckedResource,
  checkResource,
  findManifestFiles,
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
import { invalidException } from './exceptions-file.js';
import { type CliIO, EXIT_OK } from './io.js';
import { Progress } from './progress.js';
import { exitCode, loadExceptions, writeRunReport } from './run-report.js';
import { resolveSelection } from './selection.js';
import { VALIDATE_USAGE } from './usage.js';
import { parseValidateOptions, type ValidateOptions } from './validate-options.js';
import { cliVersion } from './version.js';

/** `palisade validate`: load manifests, check them, report, and exit 0 (clean), 1 (failures) or 2 (input errors). */

interface Checked {
  resources: CheckedResource[];
  /** `palisade.dev/v1alpha1` PolicyException documents found among the manifests (e.g. emitted by cdk8s). */
  exceptions: PolicyException[];
  errors: InputError[];
  /**
   * Whether an exception document turned up after resources were checked without it: exceptions among the manifests
   * apply to every resource of the run, so those results are stale and the run is checked again.
   */
  stale: boolean;
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

/**
 * Standard input read once and replayed, for a run checked twice (`Checked.stale`). Chunks are kept as they are
 * read, so a second reading gets the same bytes and the same size limit verdict.
 */
function replayable(source: AsyncIterable<string | Uint8Array>): AsyncIterable<string | Uint8Array> {
  const chunks: (string | Uint8Array)[] = [];
  let read = false;
  return {
    async *[Symbol.asyncIterator]() {
      if (read) {
        yield* chunks;
        return;
      }
      read = true;
      for await (const chunk of source) {
        chunks.push(chunk);
        yield chunk;
      }
    },
  };
}

/**
 * Reads the inputs and checks each resource as it is read, so that only its results outlive it (not the object, nor
 * its source lines). `validatorFor` gives the validator for the exceptions found among the manifests so far.
 */
async function checkInputs(
  options: ValidateOptions,
  io: CliIO,
  stdin: AsyncIterable<string | Uint8Array> | undefined,
  validatorFor: (found: readonly PolicyException[]) => Validator,
): Promise<Checked> {
  const found = findInputs(options.paths);
  const checked: Checked = { resources: [], exceptions: [], errors: [...found.errors], stale: false };
  const showProgress = io.stdout.isTTY === true && io.stderr.isTTY === true;
  const progress = new Progress(io.stderr, found.files.length, showProgress);
  const loadOptions = { maxFileSize: options.maxFileSize, ...(stdin ? { stdin } : {}) };
  /** Files that gave at least one document (resource or exception) or an error of their own. */
  const productive = new Set<string>();
  /** Built when the first resource needs it, and again after an exception turns up before any resource. */
  let validator: Validator | undefined;
  let seenResources = false;
  let done = 0;
  for (const file of found.files) {
    for await (const entry of iterateManifestFile(file, loadOptions)) {
      productive.add(found.key(file));
      if (entry.error) checked.errors.push(entry.error);
      else if (!isExceptionDocument(entry.resource)) {
        seenResources = true;
        validator ??= validatorFor(checked.exceptions);
        const resource = entry.resource;
        try {
          checked.resources.push(checkResource(resource, validator.validate(resource.object)));
        } catch (error) {
          checked.errors.push(uncheckable(resource, error));
        }
      } else {
        // Exceptions travel with the manifests they except, so GitOps repos and cdk8s output need no extra flag.
        try {
          checked.exceptions.push(exceptionFromDocument(entry.resource.object));
          if (seenResources) checked.stale = true;
          validator = undefined;
        } catch (error) {
          checked.errors.push(invalidException(entry.resource, error));
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
      checked.errors.push({
        file: path === STDIN_PATH ? STDIN_NAME : path,
        message: `no Kubernetes resources found${files.length === 0 ? ' (no .yaml, .yml or .json file)' : ''}; pass --allow-empty if that is expected`,
      });
    }
  }
  return checked;
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
  const exceptions = await loadExceptions(
    options.exceptionFiles,
    options.maxFileSize,
    selection.exceptions,
    io,
    now,
  );
  const validatorFor = (found: readonly PolicyException[]) =>
    new Validator({ policies, exceptions: [...exceptions, ...found], now });
  const stdin = io.stdin ? replayable(io.stdin) : undefined;
  let checked = await checkInputs(options, io, stdin, validatorFor);
  for (const warning of exceptionWarnings(checked.exceptions, now)) {
    io.stderr.write(`palisade: warning: ${printable(warning)}\n`);
  }
  const validator = validatorFor(checked.exceptions);
  if (checked.stale) {
    // Rare (an exception after the resources it may except): check again, every exception known from the start.
    checked = await checkInputs(options, io, stdin, () => validator);
  }
  const run: ValidationRun = {
    metadata: {
      tool: { name: 'palisade', version: cliVersion() },
      timestamp: now,
      policies: validator.policies,
    },
    resources: checked.resources,
    errors: checked.errors,
  };
  const failedWrite = await writeRunReport(run, options, io);
  if (failedWrite !== undefined) return failedWrite;
  return exitCode(run);
}
