import { EXCEPTION_API_VERSION, exceptionFromDocument, type PolicyException } from '@palisade/core';
import { formatPath, type InputError, loadManifestFile, type ManifestResource } from '@palisade/validator';
import { ZodError } from 'zod';

/**
 * Reads `--exceptions` files: YAML (or JSON) documents of kind PolicyException, apiVersion palisade.dev/v1alpha1.
 * Every problem is reported with its file, document and line.
 */

export interface LoadedExceptions {
  exceptions: PolicyException[];
  /** `file:line (document N): problem`, one per bad document or unreadable file. */
  errors: string[];
}

function where(file: string, line: number | undefined, document: number | undefined): string {
  return `${file}${line === undefined ? '' : `:${line}`}${document === undefined ? '' : ` (document ${document})`}`;
}

function issuePath(path: readonly PropertyKey[]): (string | number)[] {
  return path.filter((key): key is string | number => typeof key === 'string' || typeof key === 'number');
}

/**
 * Why a PolicyException document is invalid, at the line of the first offending field (an impossible `expires`,
 * a name Kubernetes would refuse) rather than at the start of the document.
 */
export function invalidException(resource: ManifestResource, error: unknown): InputError {
  const at = { file: resource.file, document: resource.document };
  if (!(error instanceof ZodError)) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ...at, line: resource.line, message: `invalid PolicyException: ${reason}` };
  }
  const [first] = error.issues;
  const line = first ? resource.lineOf(issuePath(first.path)) : resource.line;
  const problems = error.issues.map((issue) => {
    const path = formatPath(issuePath(issue.path));
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return { ...at, line, message: `invalid PolicyException: ${problems.join('; ')}` };
}

const describe = (error: InputError) => `${where(error.file, error.line, error.document)}: ${error.message}`;

export async function loadExceptionFiles(
  files: readonly string[],
  maxFileSize: number,
): Promise<LoadedExceptions> {
  const exceptions: PolicyException[] = [];
  const errors: string[] = [];
  /** Where each name was first defined: a name is the exception's identity (and its generated resources' name). */
  const defined = new Map<string, string>();
  for (const file of files) {
    const loaded = await loadManifestFile(file, { maxFileSize });
    for (const error of loaded.errors)
      errors.push(`${where(error.file, error.line, error.document)}: ${error.message}`);
    for (const resource of loaded.resources) {
      if (resource.kind !== 'PolicyException' || resource.apiVersion !== EXCEPTION_API_VERSION) {
        const found = `${resource.apiVersion} ${resource.kind}`;
        errors.push(
          `${where(resource.file, resource.line, resource.document)}: expected a PolicyException (apiVersion ${EXCEPTION_API_VERSION}), found ${found}`,
        );
        continue;
      }
      let exception: PolicyException;
      try {
        exception = exceptionFromDocument(resource.object);
      } catch (error) {
        errors.push(describe(invalidException(resource, error)));
        continue;
      }
      const here = where(resource.file, resource.lineOf(['metadata', 'name']), resource.document);
      const first = defined.get(exception.name);
      if (first !== undefined) {
        errors.push(`${here}: a PolicyException named ${exception.name} is already defined at ${first}`);
        continue;
      }
      defined.set(exception.name, here);
      exceptions.push(exception);
    }
  }
  return { exceptions, errors };
}
