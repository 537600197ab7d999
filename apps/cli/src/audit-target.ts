import { auditTarget } from '@palisade/audit/manifests';
import type { Target } from '@palisade/core';
import { catalogue } from '@palisade/policies';
import { cliVersion } from './version.js';

/**
 * The `audit` target as `palisade build` runs it. Its builder (`@palisade/audit/manifests`) imports only core and
 * the YAML writer at run time (the validator only as a type), so like every target it never evaluates a policy.
 */

const CATALOGUE_IDS = new Set(catalogue.map((p) => p.id));

/**
 * The image the audit manifests run: this CLI's release, tagged with its version (apps/cli/Dockerfile builds it).
 * Deterministic for a given CLI, so `build --check` stays stable; pin it by digest with kustomize.
 */
export const AUDIT_IMAGE = `ghcr.io/palisade-dev/palisade:${cliVersion()}`;

export const cliAuditTarget: Target = auditTarget({
  image: AUDIT_IMAGE,
  isCatalogue: (id) => CATALOGUE_IDS.has(id),
});
