import { formatCel } from './format.js';

/**
 * Code points in one CEL expression: cel-go v0.30.0 parser/parser.go (`expressionSizeCodePointLimit` defaults to
 * 100,000; neither Kyverno's CEL environments nor Kubernetes' change it). Kubernetes (ValidatingAdmissionPolicy)
 * and Kyverno compile every variable, validation, message expression and condition on its own, so the limit holds
 * for each.
 */
export const CEL_EXPRESSION_CODE_POINTS = 100_000;

export const codePoints = (text: string): number => [...text].length;

const encoder = new TextEncoder();
export const utf8Bytes = (text: string): number => encoder.encode(text).length;

/**
 * Bytes of one stored object: etcd refuses requests over `--max-request-bytes`, 1.5 MiB by default
 * (etcd.io/docs/v3.5/dev-guide/limit). The API server's own limit is higher (3 MiB, k8s.io/apiserver
 * pkg/server/config.go `MaxRequestBodyBytes`). Measured as the object's JSON, the form custom resources are stored in.
 */
export const OBJECT_BYTES = 1_572_864;

/** Bytes of all annotations of an object, keys included: k8s.io/apimachinery pkg/api/validation/objectmeta.go. */
export const ANNOTATIONS_BYTES = 262_144;

/** Characters of an object name (a DNS subdomain): k8s.io/apimachinery pkg/util/validation/validation.go. */
export const NAME_CHARACTERS = 253;

/** A generated document over a limit of its target: building fails with it (never caught as a per-policy problem). */
export class TargetLimitError extends Error {
  override name = 'TargetLimitError';
}

export function overLimit(
  owner: string,
  what: string,
  size: number,
  unit: string,
  limit: number,
  source: string,
): TargetLimitError {
  return new TargetLimitError(
    `${owner}: ${what} is ${size.toLocaleString('en-US')} ${unit}, over the limit of ` +
      `${limit.toLocaleString('en-US')} (${source})`,
  );
}

const CEL_FIELDS = new Set(['expression', 'messageExpression']);

/** Every CEL expression of a document (`expression` and `messageExpression` fields), with its dotted path. */
export function celExpressionsOf(document: unknown): { path: string; expression: string }[] {
  const out: { path: string; expression: string }[] = [];
  const walk = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, [...path, String(i)]);
    } else if (typeof node === 'object' && node !== null) {
      for (const [key, value] of Object.entries(node)) {
        if (CEL_FIELDS.has(key) && typeof value === 'string')
          out.push({ path: [...path, key].join('.'), expression: value });
        else walk(value, [...path, key]);
      }
    }
  };
  walk(document, []);
  return out;
}

/**
 * Throws a TargetLimitError when a generated Kubernetes document carrying CEL is over a limit every such target
 * shares: an expression over the CEL parser's length (`parser` names who parses it), annotations over the
 * Kubernetes total, or the document over the default etcd request size. Name limits differ per target and stay there.
 * `kind` names the document in messages (Gatekeeper says `Constraint` for every constraint kind).
 */
export function checkCelDocumentLimits(
  owner: string,
  document: Record<string, unknown>,
  parser: string,
  kind: string = String(document.kind),
): void {
  for (const { path, expression } of celExpressionsOf(document)) {
    const size = codePoints(expression);
    if (size > CEL_EXPRESSION_CODE_POINTS) {
      throw overLimit(
        owner,
        `the CEL expression at ${path} of the ${kind}`,
        size,
        'characters',
        CEL_EXPRESSION_CODE_POINTS,
        parser,
      );
    }
  }
  const metadata = (document.metadata ?? {}) as { annotations?: Record<string, string> };
  const annotations = Object.entries(metadata.annotations ?? {}).reduce(
    (sum, [k, v]) => sum + utf8Bytes(k) + utf8Bytes(v),
    0,
  );
  if (annotations > ANNOTATIONS_BYTES) {
    throw overLimit(
      owner,
      `the annotations of the ${kind}`,
      annotations,
      'bytes',
      ANNOTATIONS_BYTES,
      'Kubernetes annotations',
    );
  }
  const bytes = utf8Bytes(JSON.stringify(document));
  if (bytes > OBJECT_BYTES) {
    throw overLimit(owner, `the ${kind}`, bytes, 'bytes', OBJECT_BYTES, 'the default etcd request size');
  }
}

/**
 * An expression laid out on short lines for reviewers (a block scalar in the YAML). The indentation counts towards
 * the CEL parser's limit, so an expression that would pass it only on one line stays on one line (parameter
 * chunks are packed up to the limit).
 */
export function readableCel(expression: string): string {
  const formatted = formatCel(expression);
  return codePoints(formatted) <= CEL_EXPRESSION_CODE_POINTS ? formatted : expression;
}
