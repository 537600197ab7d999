import type { PssLevel } from '@palisade/core';
import { KUSTOMIZE_API_VERSION } from './names.js';

export const PROFILES: readonly PssLevel[] = ['baseline', 'restricted'];

export { profilePolicyIds } from '@palisade/core';

export const kustomization = (resources: readonly string[]): Record<string, unknown> => ({
  apiVersion: KUSTOMIZE_API_VERSION,
  kind: 'Kustomization',
  resources: [...resources],
});

export { profileProblems } from '@palisade/core';
