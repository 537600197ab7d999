import type { PolicyException } from '@palisade/core';
import type { CorpusObject } from './corpus.js';

/**
 * One exception of every form the targets express differently: single criteria (Gatekeeper match exclusions),
 * names, combinations, several label requirements and globs Gatekeeper's match cannot take (its exemptResources
 * data; Kyverno PolicyExceptions), images, and an expired one (not emitted, ignored by the validator). The
 * differential names objects `o-<index>`, which the name globs rely on.
 */
export const EXCEPTION_FORMS: PolicyException[] = [
  { name: 'system', policies: ['*'], reason: 'platform', match: { namespaces: ['kube-*'] } },
  {
    name: 'trusted-images',
    policies: [
      'restrict-image-registries',
      'disallow-latest-tag',
      'require-image-digest',
      'disallow-capabilities-strict',
    ],
    reason: 'vendored',
    match: { images: ['registry.example.com/*', 'nginx*'] },
  },
  {
    name: 'legacy',
    policies: ['require-probes', 'require-ro-rootfs', 'disallow-privilege-escalation'],
    reason: 'migration',
    match: { labels: { matchLabels: { tier: 'legacy' } } },
  },
  {
    name: 'tools',
    policies: ['require-requests-limits'],
    reason: 'tools',
    match: { labels: { matchExpressions: [{ key: 'tool', operator: 'Exists' }] } },
  },
  {
    name: 'batch',
    policies: ['require-requests-limits', 'require-run-as-nonroot'],
    reason: 'jobs',
    match: { kinds: ['Job', 'CronJob'] },
  },
  { name: 'expired', policies: ['*'], reason: 'old', expires: '2024-12-31', match: { namespaces: ['shop'] } },
  {
    name: 'one-team-deployments',
    policies: ['require-probes', 'disallow-latest-tag', 'restrict-seccomp-strict'],
    reason: 'combined criteria',
    match: {
      kinds: ['Deployment', 'CronJob'],
      namespaces: ['team-?'],
      labels: { matchLabels: { tier: 'legacy' } },
    },
  },
  {
    name: 'team-images',
    policies: ['disallow-latest-tag', 'restrict-image-registries', 'disallow-capabilities-strict'],
    reason: 'images allowed in one team namespace only',
    match: { namespaces: ['team-*'], images: ['*:latest', 'docker.io/*', 'nginx*'] },
  },
  {
    name: 'named',
    policies: ['require-run-as-non-root-user', 'restrict-volume-types'],
    reason: 'by name',
    match: { names: ['o-1*', '*-7'] }, // the differential names objects o-<index>
  },
  {
    name: 'two-requirements',
    policies: ['*'],
    reason: 'selector',
    match: {
      labels: {
        matchLabels: { tool: 'x' },
        matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['legacy'] }],
      },
    },
  },
];

/** Spreads objects over namespaces and labels so every exception applies to some of them. */
export function variedForExceptions(corpus: readonly CorpusObject[]): CorpusObject[] {
  return corpus.map((entry, i) => {
    const metadata = { ...((entry.object.metadata ?? {}) as Record<string, unknown>) };
    const labels = { ...((metadata.labels ?? {}) as Record<string, unknown>) };
    if (i % 5 === 0) metadata.namespace = 'kube-system';
    else if (i % 4 === 1) metadata.namespace = 'team-a';
    if (i % 3 === 0) labels.tier = 'legacy';
    if (i % 7 === 0) labels.tool = 'x';
    return { id: entry.id, object: { ...entry.object, metadata: { ...metadata, labels } } };
  });
}
