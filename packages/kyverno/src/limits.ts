/**
 * What the pinned Kyverno (v1.19.0) and Kubernetes accept of a generated document. A document over a limit is
 * refused where it matters most, in the cluster or at evaluation time (a ValidatingPolicy whose CEL does not
 * compile, every Service failing), so building fails instead, naming the policy, the field and the limit.
 */

/**
 * Code points in one CEL expression: cel-go v0.30.0 parser/parser.go (`expressionSizeCodePointLimit` defaults to
 * 100,000; neither Kyverno's CEL environments nor Kubernetes' change it). Kyverno compiles every variable,
 * validation, message expression and condition on its own, so the limit holds for each.
 */
export const CEL_EXPRESSION_CODE_POINTS = 100_000;

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

/**
 * Characters of a ClusterPolicy name (kyverno api/kyverno/v1/utils.go `ValidatePolicyName`: it is stored in a report
 * label) and of its rule names (api/kyverno/v1/rule_types.go `MaxLength=63`). Both are the policy id.
 */
export const CLUSTER_POLICY_NAME_CHARACTERS = 63;

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

export const codePoints = (text: string): number => [...text].length;

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

const CEL_FIELDS = new Set(['expression', 'messageExpression']);

function celExpressions(node: unknown, path: string[], out: { path: string; expression: string }[]): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) celExpressions(item, [...path, String(i)], out);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (CEL_FIELDS.has(key) && typeof value === 'string')
        out.push({ path: [...path, key].join('.'), expression: value });
      else celExpressions(value, [...path, key], out);
    }
  }
}

/** Throws a TargetLimitError when a Kyverno document (policy or exception) is over a limit; `owner` names its source. */
export function checkKyvernoLimits(owner: string, document: Record<string, unknown>): void {
  const kind = String(document.kind);
  const metadata = (document.metadata ?? {}) as { name?: unknown; annotations?: Record<string, string> };
  const rules = ((document.spec as { rules?: { name?: unknown }[] } | undefined)?.rules ?? []).map((r) =>
    String(r.name ?? ''),
  );
  const nameLimit =
    kind === 'ClusterPolicy'
      ? { limit: CLUSTER_POLICY_NAME_CHARACTERS, source: 'Kyverno ClusterPolicy and rule names' }
      : { limit: NAME_CHARACTERS, source: 'Kubernetes object names' };
  for (const [what, text] of [
    [`the ${kind} name`, String(metadata.name ?? '')],
    ...rules.map((r) => [`the ${kind} rule name`, r]),
  ] as const) {
    if (text.length > nameLimit.limit)
      throw overLimit(owner, what, text.length, 'characters', nameLimit.limit, nameLimit.source);
  }
  const expressions: { path: string; expression: string }[] = [];
  celExpressions(document, [], expressions);
  for (const { path, expression } of expressions) {
    const size = codePoints(expression);
    if (size > CEL_EXPRESSION_CODE_POINTS) {
      throw overLimit(
        owner,
        `the CEL expression at ${path} of the ${kind}`,
        size,
        'characters',
        CEL_EXPRESSION_CODE_POINTS,
        'the CEL parser of Kyverno and Kubernetes',
      );
    }
  }
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
