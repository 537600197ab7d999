import { defineConfig } from '@palisade/core';
import requireTeamLabel from './policies/require-team-label/policy.ts';

/**
 * What this repository enforces, written once: `palisade validate --config` checks the manifests with it and
 * `palisade build --config` compiles it to Gatekeeper and Kyverno (committed under generated/).
 */
export default defineConfig({
  profile: 'restricted',
  include: ['disallow-latest-tag', 'restrict-image-registries', 'require-requests-limits'],
  policies: [requireTeamLabel],
  params: {
    'restrict-image-registries': { registries: ['registry.example.com/'] },
    'require-team-label': { teams: ['payments', 'search', 'platform'] },
  },
  enforcement: {
    'disallow-privileged-containers': 'enforce',
    'require-team-label': 'warn',
  },
  exceptions: ['exceptions.yaml'],
  fixtures: { 'require-team-label': 'policies/require-team-label' },
});
