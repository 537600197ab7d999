import {
  EXCEPTION_API_VERSION,
  exceptionFromDocument,
  isExpired,
  type Policy,
  type PolicyException,
} from '@palisade/core';
import { formatPath, identityOf, type Path, type ResultStatus, Validator } from '@palisade/validator';
import { ZodError } from 'zod';
import { type PolicySelection, policyConfigs } from './policies.js';

/** What to check synthesized manifests against, and which exceptions to honour besides the emitted ones. */
export interface ComplianceOptions extends PolicySelection {
  /** Exceptions besides the `PolicyException` documents found among the manifests. @default - none */
  readonly exceptions?: readonly PolicyException[];
  /** The clock for exception expiry. @default new Date() */
  readonly now?: Date;
}

/** One policy result on one resource. */
export interface Finding {
  readonly kind: string;
  readonly name: string | undefined;
  readonly namespace: string | undefined;
  readonly policy: Policy;
  readonly status: ResultStatus;
  readonly message: string;
  readonly violations: readonly { readonly message: string; readonly path: Path; readonly line?: number }[];
  /** The exception that exempted the resource, for `skip` results. */
  readonly exception: string | undefined;
  /** Where the resource came from (a manifest file), when known. */
  readonly source: string | undefined;
}

export interface ComplianceReport {
  /** Every result, in resource then policy order. */
  readonly findings: readonly Finding[];
  /** Results with status `fail` or `error`: what makes a report non-compliant. */
  readonly failures: readonly Finding[];
  /** Results with status `warn` (policies in warn mode). */
  readonly warnings: readonly Finding[];
  /** Resources validated (PolicyException documents excluded). */
  readonly resources: number;
  /** The exceptions in force: emitted by constructs, found among the manifests, or given. */
  readonly exceptions: readonly PolicyException[];
  /** The policies evaluated. */
  readonly policies: readonly Policy[];
}

/** A manifest to check, with where it came from for messages. */
export interface SourcedManifest {
  readonly object: unknown;
  readonly source?: string;
  /** The source line of a field, when the manifest was read from a file. */
  readonly lineOf?: (path: Path) => number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Whether a manifest is a Palisade `PolicyException` document rather than a resource to check. */
export function isExceptionDocument(object: unknown): boolean {
  return isRecord(object) && object.apiVersion === EXCEPTION_API_VERSION && object.kind === 'PolicyException';
}

/** Reads a `PolicyException` document, with a readable error naming the document. */
export function readExceptionDocument(object: unknown, source: string | undefined): PolicyException {
  try {
    return exceptionFromDocument(object);
  } catch (error) {
    const name = isRecord(object) && isRecord(object.metadata) ? String(object.metadata.name) : '<unnamed>';
    const detail =
      error instanceof ZodError
        ? error.issues
            .map((i) => `${formatPath(i.path.filter((k) => typeof k !== 'symbol'))}: ${i.message}`)
            .join('; ')
        : String(error);
    throw new Error(`invalid PolicyException ${name}${source ? ` in ${source}` : ''}: ${detail}`);
  }
}

/**
 * Validates manifests with the real Palisade validator: `PolicyException` documents among them are honoured (that
 * is how exceptions emitted by constructs reach the validator), everything else is checked.
 */
export function checkManifests(
  manifests: readonly SourcedManifest[],
  options: ComplianceOptions = {},
): ComplianceReport {
  const now = options.now ?? new Date();
  const exceptions = [...(options.exceptions ?? [])];
  const resources: SourcedManifest[] = [];
  for (const manifest of manifests) {
    if (isExceptionDocument(manifest.object))
      exceptions.push(readExceptionDocument(manifest.object, manifest.source));
    else resources.push(manifest);
  }
  const validator = new Validator({ policies: policyConfigs(options), exceptions, now });
  const findings: Finding[] = [];
  for (const { object, source, lineOf } of resources) {
    if (!isRecord(object) || typeof object.kind !== 'string') {
      throw new Error(
        `not a Kubernetes resource${source ? ` in ${source}` : ''}: ${JSON.stringify(object)?.slice(0, 200)}`,
      );
    }
    const identity = identityOf(object);
    for (const result of validator.validate(object)) {
      findings.push({
        kind: identity.kind,
        name: identity.name,
        namespace: identity.namespace,
        policy: result.policy,
        status: result.status,
        message: result.message,
        violations: result.violations.map((v) =>
          lineOf
            ? { message: v.message, path: v.path, line: lineOf(v.path) }
            : { message: v.message, path: v.path },
        ),
        exception: result.exception?.name,
        source,
      });
    }
  }
  return {
    findings,
    failures: findings.filter((f) => f.status === 'fail' || f.status === 'error'),
    warnings: findings.filter((f) => f.status === 'warn'),
    resources: resources.length,
    exceptions: exceptions.filter((e) => !isExpired(e, now)),
    policies: validator.policies,
  };
}

export function describeFinding(finding: Finding): string {
  const name = finding.name ?? '<unnamed>';
  return `${finding.kind} ${finding.namespace === undefined ? name : `${finding.namespace}/${name}`}`;
}

/** A readable listing of failures grouped by resource, for thrown errors and logs. */
export function formatFailures(failures: readonly Finding[]): string {
  const byResource = new Map<string, Finding[]>();
  for (const f of failures) {
    const key = `${describeFinding(f)}${f.source ? ` (${f.source})` : ''}`;
    byResource.set(key, [...(byResource.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [resource, list] of byResource) {
    lines.push(`  ${resource}`);
    for (const f of list) {
      const details = f.violations.length
        ? f.violations.map((v) => `${v.message} (at ${formatPath(v.path) || '<root>'})`)
        : [f.message];
      lines.push(`    - ${f.policy.id}: ${details.join('; ')}`);
    }
  }
  return lines.join('\n');
}
