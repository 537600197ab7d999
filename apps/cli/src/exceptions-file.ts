import { EXCEPTION_API_VERSION, exceptionFromDocument, type PolicyException } from '@palisade/core';
import { formatPath, loadManifestFile, type ManifestResource } from '@palisade/validator';
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

function describeInvalid(resource: ManifestResource, error: unknown): string {
  if (!(error instanceof ZodError)) {
    return `${where(resource.file, resource.line, resource.document)}: ${error instanceof Error ? error.message : String(error)}`;
  }
  const [first] = error.issues;
  const line = first ? resource.lineOf(issuePath(first.path)) : resource.line;
  const problems = error.issues.map((issue) => {
    const path = formatPath(issuePath(issue.path));
    return path === '' ? issue.message : `${path}: ${issue.message}`;
  });
  return `${where(resource.file, line, resource.document)}: invalid PolicyException: ${problems.join('; ')}`;
}

export async function loadExceptionFiles(
  files: readonly string[],
  maxFileSize: number,
): Promise<LoadedExceptions> {
  const exceptions: PolicyException[] = [];
  const errors: string[] = [];
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
      try {
        exceptions.push(exceptionFromDocument(resource.object));
      } catch (error) {
        errors.push(describeInvalid(resource, error));
      }
    }
  }
  return { exceptions, errors };
}
