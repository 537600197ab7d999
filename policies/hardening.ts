import type { Policy } from '@palisade/core';

/** NSA/CISA and CIS hardening policies (see each folder). */
export const hardeningPolicies: readonly Policy[] = [];
