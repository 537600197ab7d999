import { checkCelDocumentLimits, NAME_CHARACTERS, overLimit } from '@palisade/cel';

export {
  ANNOTATIONS_BYTES,
  CEL_EXPRESSION_CODE_POINTS,
  NAME_CHARACTERS,
  OBJECT_BYTES,
  TargetLimitError,
} from '@palisade/cel';

/**
 * What Gatekeeper (v3.23) and Kubernetes accept of a ConstraintTemplate and its Constraint. Parameters travel as
 * constraint parameters, so they never lengthen the Rego or CEL; but the objects holding them have limits, and a
 * document over one is refused by the cluster (or its CEL does not compile), so building fails instead, naming the
 * policy, the field and the limit. Rego has no size or cost limit of its own (OPA evaluates any module; Gatekeeper
 * bounds evaluation only by the webhook timeout), so what bounds it is the template's object size.
 */

/** Characters of a label value (the template's `palisade.dev/policy`): k8s.io/apimachinery validation.go. */
export const LABEL_VALUE_CHARACTERS = 63;

// A CRD name, `<template name>.constraints.gatekeeper.sh` (Gatekeeper creates one CRD per template), is a DNS
// subdomain: NAME_CHARACTERS.
const CONSTRAINT_CRD_SUFFIX = '.constraints.gatekeeper.sh';

/** Throws a TargetLimitError when a ConstraintTemplate or Constraint of `policyId` is over a limit. */
export function checkGatekeeperLimits(policyId: string, document: Record<string, unknown>): void {
  const kind = document.kind === 'ConstraintTemplate' ? 'ConstraintTemplate' : 'Constraint';
  const metadata = (document.metadata ?? {}) as {
    name?: unknown;
    labels?: Record<string, string>;
  };
  if (kind === 'ConstraintTemplate') {
    const crd = `${String(metadata.name ?? '')}${CONSTRAINT_CRD_SUFFIX}`;
    if (crd.length > NAME_CHARACTERS)
      throw overLimit(
        `policy ${policyId}`,
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
        `policy ${policyId}`,
        `the ${kind} label ${key}`,
        value.length,
        'characters',
        LABEL_VALUE_CHARACTERS,
        'Kubernetes label values',
      );
  }
  checkCelDocumentLimits(`policy ${policyId}`, document, 'the CEL parser of Gatekeeper and Kubernetes', kind);
}
