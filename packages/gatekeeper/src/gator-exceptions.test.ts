import type { PolicyException } from '@palisade/core';
import { fixtureCorpus, generatedCorpus } from '@palisade/policies/testing';
import { describe, expect, it } from 'vitest';
import { buildGatekeeperOutput } from './build.js';
import type { Engine } from './engines.js';
import { differentialConfigs } from './testing/catalogue.js';
import { type CorpusEntry, runDifferential } from './testing/differential.js';

const NOW = new Date('2025-01-01T00:00:00Z');

/**
 * One exception of every form a constraint expresses: as match criteria, as exemptResources data (names,
 * combinations, several label requirements, globs Gatekeeper's match cannot take), and an expired one (not emitted,
 * ignored by the validator).
 */
const EXCEPTIONS: PolicyException[] = [
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
function varied(corpus: readonly CorpusEntry[]): CorpusEntry[] {
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

describe.each<Engine>(['rego', 'cel'])('exceptions in gator (%s only) against the validator', (engine) => {
  it('exempts exactly what the validator exempts', { timeout: 20 * 60_000 }, async () => {
    const configs = differentialConfigs();
    const { problems } = buildGatekeeperOutput({
      policies: configs,
      exceptions: EXCEPTIONS,
      fixtures: () => [],
      engines: [engine],
      now: NOW,
    });
    expect(problems.filter((p) => p.includes('exception'))).toEqual([]);
    const corpus = varied([...fixtureCorpus(), ...generatedCorpus(600, 7)]);
    const result = await runDifferential({
      configs,
      exceptions: EXCEPTIONS,
      corpus,
      engine,
      now: NOW,
      batches: 2,
      messages: engine === 'rego' ? 'exact' : 'split',
    });
    console.log(
      `exceptions (${engine} only): ${corpus.length} objects, ${result.pairs} results (${result.denied} denied), ` +
        `${result.disagreements.length} verdict and ${result.messageDisagreements.length} message disagreements; ` +
        `gator ${(result.gatorMs / 1000).toFixed(1)}s`,
    );
    expect(result.disagreements.slice(0, 5).join('\n\n')).toBe('');
    expect(result.messageDisagreements.slice(0, 5).join('\n\n')).toBe('');
  });
});
