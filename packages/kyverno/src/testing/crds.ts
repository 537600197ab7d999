import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedModuleDir } from '@palisade/engines';
import { parse } from 'yaml';

/** Kyverno's CRDs for what Palisade generates, as kyverno's config/crds ships them. */
const CRD_FILES = [
  'kyverno/kyverno.io_clusterpolicies.yaml',
  'kyverno/kyverno.io_policyexceptions.yaml',
  'policies.kyverno.io/policies.kyverno.io_validatingpolicies.yaml',
  'policies.kyverno.io/policies.kyverno.io_policyexceptions.yaml',
] as const;

/** The CRDs at the version the kyverno CLI engine is built from, read from the Go module cache. */
export function kyvernoCrds(): { crds: Record<string, unknown>[]; version: string } {
  const { dir, version } = pinnedModuleDir('kyverno', 'github.com/kyverno/kyverno');
  const crds = CRD_FILES.map(
    (f) => parse(readFileSync(join(dir, 'config/crds', f), 'utf8')) as Record<string, unknown>,
  );
  return { crds, version };
}
