/**
 * Images, pinned by digest and pulled from the organisation's registry (third-party images are mirrored there).
 * A real app resolves the digests in CI (`crane digest`); these are stand-ins of the right shape.
 */
const digest = (seed: string) => `sha256:${seed.repeat(64).slice(0, 64)}`;

export const REGISTRY = 'registry.example.com/';

export const IMAGES = {
  web: `${REGISTRY}shop/web:2.3.1@${digest('a1')}`,
  worker: `${REGISTRY}shop/worker:2.3.1@${digest('b2')}`,
  migrate: `${REGISTRY}shop/migrate:2.3.1@${digest('c3')}`,
  postgres: `${REGISTRY}mirror/postgres:16.4-alpine@${digest('d4')}`,
} as const;
