import type { Policy } from '@palisade/core';
import type { CodeEntry } from './engines.js';
import { ADMISSION_TARGET, TEMPLATE_API_VERSION, templateKind, templateName } from './names.js';
import type { OpenApiSchema } from './schema.js';

export interface TemplateInput {
  config: { policy: Policy };
  code: readonly CodeEntry[];
  parameters: OpenApiSchema;
  /** `metadata.gatekeeper.sh/version`. */
  version: string;
}

export function buildTemplate({ config, code, parameters, version }: TemplateInput): Record<string, unknown> {
  const { policy } = config;
  return {
    apiVersion: TEMPLATE_API_VERSION,
    kind: 'ConstraintTemplate',
    metadata: {
      name: templateName(policy.id),
      annotations: {
        'metadata.gatekeeper.sh/title': policy.title,
        'metadata.gatekeeper.sh/version': version,
        description: policy.description,
      },
      labels: { 'palisade.dev/policy': policy.id },
    },
    spec: {
      crd: {
        spec: {
          names: { kind: templateKind(policy.id) },
          validation: { openAPIV3Schema: parameters },
        },
      },
      targets: [{ target: ADMISSION_TARGET, code }],
    },
  };
}
