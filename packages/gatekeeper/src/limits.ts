/**
 * What Gatekeeper (v3.23) and Kubernetes accept of a ConstraintTemplate and its Constraint. Parameters travel as
 * constraint parameters, so they never lengthen the Rego or CEL; but the objects holding them have limits, and a
 * document over one is refused by the cluster (or its CEL does not compile), so building fails instead, naming the
 * policy, the field and the limit. Rego has no size or cost limit of its own (OPA evaluates any module; Gatekeeper
 * bounds evaluation only by the webhook timeout), so what bounds it is the template's object size.
 */

/**
 * Code points in one CEL expression: cel-go v0.30.0 parser/parser.go (`expressionSizeCodePointLimit` defaults to
 * 100,000), unchanged by the Kubernetes CEL environment Gatekeeper's K8sNativeValidation engine compiles with.
 */
export const CEL_EXPRESSION_CODE_POINTS = 100_000;

/**
 * Bytes of one stored object: etcd refuses requests over `--max-request-bytes`, 1.5 MiB by default
 * (etcd.io/docs/v3.5/dev-guide/limit); the API server's own limit is 3 MiB (k8s.io/apiserver pkg/server/config.go
 * `MaxRequestBodyBytes`). Measured as the object's JSON, the form custom resources are stored in.
 */
export const OBJECT_BYTES = 1_572_864;

/** Bytes of all annotations of an object, keys included: k8s.io/apimachinery pkg/api/validation/objectmeta.go. */
export const ANNOTATIONS_BYTES = 262_144;

/** Characters of a label value (the template's `palisade.dev/policy`): k8s.io/apimachinery validation.go. */
export const LABEL_VALUE_CHARACTERS = 63;

/**
 * Characters of a CRD name, `<template name>.constraints.gatekeeper.sh` (Gatekeeper creates one CRD per template):
 * a DNS subdomain, k8s.io/apimachinery pkg/util/validation/validation.go `DNS1123SubdomainMaxLength`.
 */
export const NAME_CHARACTERS = 253;

const CONSTRAINT_CRD_SUFFIX = '.constraints.gatekeeper.sh';

/** A generated document over a limit of Gatekeeper or Kubernetes. */
export class TargetLimitError extends Error {
  override name = 'TargetLimitError';
}

function overLimit(
  policyId: string,
  what: string,
  size: number,
  unit: string,
  limit: number,
  source: string,
): TargetLimitError {
  return new TargetLimitError(
    `policy ${policyId}: ${what} is ${size.toLocaleString('en-US')} ${unit}, over the limit of ` +
      `${limit.toLocaleString('en-US')} (${source})`,
  );
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Every CEL expression of a template: `expression` and `messageExpression` fields of its K8sNativeValidation code. */
function celExpressions(node: unknown, path: string[], out: { path: string; expression: string }[]): void {
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) celExpressions(item, [...path, String(i)], out);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if ((key === 'expression' || key === 'messageExpression') && typeof value === 'string')
        out.push({ path: [...path, key].join('.'), expression: value });
      else celExpressions(value, [...path, key], out);
    }
  }
}

/** Throws a TargetLimitError when a ConstraintTemplate or Constraint of `policyId` is over a limit. */
export function checkGatekeeperLimits(policyId: string, document: Record<string, unknown>): void {
  const kind = document.kind === 'ConstraintTemplate' ? 'ConstraintTemplate' : 'Constraint';
  const metadata = (document.metadata ?? {}) as {
    name?: unknown;
    annotations?: Record<string, string>;
    labels?: Record<string, string>;
  };
  if (kind === 'ConstraintTemplate') {
    const crd = `${String(metadata.name ?? '')}${CONSTRAINT_CRD_SUFFIX}`;
    if (crd.length > NAME_CHARACTERS)
      throw overLimit(
        policyId,
        `the constraint CRD name ${crd}`,
        crd.length,
        'characters',
        NAME_CHARACTERS,
        'Kubernetes object names',
      );
  }
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (value.length > LABEL_VALUE_CHARACTERS)
      throw overLimit(
        policyId,
        `the ${kind} label ${key}`,
        value.length,
        'characters',
        LABEL_VALUE_CHARACTERS,
        'Kubernetes label values',
      );
  }
  const expressions: { path: string; expression: string }[] = [];
  celExpressions(document.spec, ['spec'], expressions);
  for (const { path, expression } of expressions) {
    const size = [...expression].length;
    if (size > CEL_EXPRESSION_CODE_POINTS)
      throw overLimit(
        policyId,
        `the CEL expression at ${path} of the ${kind}`,
        size,
        'characters',
        CEL_EXPRESSION_CODE_POINTS,
        'the CEL parser of Gatekeeper and Kubernetes',
      );
  }
  const annotations = Object.entries(metadata.annotations ?? {}).reduce(
    (sum, [k, v]) => sum + utf8Bytes(k) + utf8Bytes(v),
    0,
  );
  if (annotations > ANNOTATIONS_BYTES)
    throw overLimit(
      policyId,
      `the annotations of the ${kind}`,
      annotations,
      'bytes',
      ANNOTATIONS_BYTES,
      'Kubernetes annotations',
    );
  const bytes = utf8Bytes(JSON.stringify(document));
  if (bytes > OBJECT_BYTES)
    throw overLimit(policyId, `the ${kind}`, bytes, 'bytes', OBJECT_BYTES, 'the default etcd request size');
}
