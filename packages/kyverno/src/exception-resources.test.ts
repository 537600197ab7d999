import type { PolicyException } from '@palisade/core';
import { restrictedAndHardening } from '@palisade/testing';
import { describe, expect, it } from 'vitest';
import { buildExceptions } from './exceptions.js';

/** What the generated PolicyExceptions are called and when they expire (no engine needed: the fields themselves). */
const NOW = new Date('2025-01-01T00:00:00Z');
const configs = restrictedAndHardening().filter((c) => c.policy.id === 'disallow-privileged-containers');
const exception = (name: string, expires?: string): PolicyException => ({
  name,
  policies: ['disallow-privileged-containers'],
  reason: 'r',
  ...(expires === undefined ? {} : { expires }),
  match: { namespaces: ['vendor'] },
});
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

describe('Kyverno PolicyException resources', () => {
  it.each([
    ['2027-06-30', '2027-07-01T00:00:00Z'],
    ['2027-06-30T18:00:00+02:00', '2027-06-30T16:00:00Z'],
    ['2027-06-30T18:00:00.5-01:30', '2027-06-30T19:30:00.500Z'],
    ['2027-06-30t18:00:00z', '2027-06-30T18:00:00Z'],
  ])('expiresAt of %s is the RFC 3339 UTC time %s', (expires, expiresAt) => {
    const { validating } = buildExceptions([exception('dated', expires)], configs, NOW);
    const spec = validating.get('dated')?.spec as { expiresAt: string };
    expect(spec.expiresAt).toBe(expiresAt);
    expect(spec.expiresAt).toMatch(RFC3339_UTC);
  });

  it('names built in code that Kubernetes would refuse get a valid name, the original kept', () => {
    const { validating, cluster } = buildExceptions(
      [exception('a..b'), exception('Legacy App')],
      configs,
      NOW,
    );
    const names = [...validating.keys()];
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^[a-z0-9-]+-[0-9a-f]{10}$/);
    expect([...cluster.keys()]).toEqual(names);
    const originals = [...validating.values()].map(
      (doc) =>
        (doc.metadata as { annotations: Record<string, string> }).annotations['palisade.dev/exception'],
    );
    expect(originals.sort()).toEqual(['Legacy App', 'a..b']);
  });

  it('refuses two exceptions that would become one resource instead of dropping one', () => {
    expect(() => buildExceptions([exception('same'), exception('same')], configs, NOW)).toThrow(
      /exceptions "same" and "same" both become the Kyverno PolicyException same/,
    );
  });

  it('refuses an impossible expiry built in code instead of treating it as never expiring', () => {
    expect(() => buildExceptions([exception('dated', '2027-02-30')], configs, NOW)).toThrow(
      /February 2027 has 28 days/,
    );
  });
});
