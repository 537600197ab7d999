/**
 * Names of generated Gatekeeper resources. A ConstraintTemplate's metadata.name must be its constraint kind in
 * lower case (it names the generated CRD), so the kind is PascalCase ASCII built from the kebab-case policy id.
 */
export const TEMPLATE_KIND_PREFIX = 'Palisade';

export function templateKind(policyId: string): string {
  const pascal = policyId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
  return `${TEMPLATE_KIND_PREFIX}${pascal}`;
}

export const templateName = (policyId: string): string => templateKind(policyId).toLowerCase();

/** The constraint is named after the policy id (kebab-case, a valid Kubernetes name). */
export const constraintName = (policyId: string): string => policyId;

export const TEMPLATE_API_VERSION = 'templates.gatekeeper.sh/v1';
export const CONSTRAINT_API_VERSION = 'constraints.gatekeeper.sh/v1beta1';
export const SUITE_API_VERSION = 'test.gatekeeper.sh/v1alpha1';
export const KUSTOMIZE_API_VERSION = 'kustomize.config.k8s.io/v1beta1';
export const ADMISSION_TARGET = 'admission.k8s.gatekeeper.sh';
/** The parameter carrying image exceptions' globs to both engines (as data). */
export const EXEMPT_IMAGES_PARAM = 'exemptImages';
/** The constraint parameter resource exceptions travel in (see exceptions.ts). */
export const EXEMPT_RESOURCES_PARAM = 'exemptResources';
