import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  exceptionDocumentSchema,
  exceptionFromDocument,
  exceptionMatchesResource,
  exceptionResourceName,
  exceptionSchema,
  isExpired,
  isKubernetesName,
} from './exceptions.js';

const resource = { kind: 'Pod', name: 'fluentd-x1', namespace: 'logging', labels: { app: 'fluentd' } };

describe('exceptions', () => {
  it('matches on every given criterion', () => {
    const e = exceptionSchema.parse({
      name: 'e',
      policies: ['disallow-host-path'],
      reason: 'log shipper',
      match: { namespaces: ['log*'], names: ['fluentd-*'], labels: { matchLabels: { app: 'fluentd' } } },
    });
    expect(exceptionMatchesResource(e, resource)).toBe(true);
    expect(exceptionMatchesResource(e, { ...resource, namespace: 'default' })).toBe(false);
    expect(exceptionMatchesResource(e, { ...resource, labels: {} })).toBe(false);
  });
  it('expires after the end of its expiry date (UTC)', () => {
    const e = exceptionSchema.parse({
      name: 'e',
      policies: ['*'],
      reason: 'r',
      expires: '2026-11-30',
      match: { kinds: ['Pod'] },
    });
    expect(isExpired(e, new Date('2026-11-30T23:59:59Z'))).toBe(false);
    expect(isExpired(e, new Date('2026-12-01T00:00:00Z'))).toBe(true);
  });
  it('requires a reason and at least one criterion', () => {
    expect(
      exceptionSchema.safeParse({ name: 'e', policies: ['*'], reason: '', match: { kinds: ['Pod'] } })
        .success,
    ).toBe(false);
    expect(exceptionSchema.safeParse({ name: 'e', policies: ['*'], reason: 'r', match: {} }).success).toBe(
      false,
    );
    expect(
      exceptionSchema.safeParse({
        name: 'e',
        policies: ['*'],
        reason: 'r',
        expires: 'soon',
        match: { kinds: ['Pod'] },
      }).success,
    ).toBe(false);
  });
  it('reads the Kubernetes-style document form', () => {
    const e = exceptionFromDocument({
      apiVersion: 'palisade.dev/v1alpha1',
      kind: 'PolicyException',
      metadata: { name: 'legacy' },
      spec: {
        policies: ['disallow-latest-tag'],
        reason: 'vendor image',
        match: { images: ['vendor.example.com/*'] },
      },
    });
    expect(e).toMatchObject({ name: 'legacy', match: { images: ['vendor.example.com/*'] } });
  });
  it('refuses impossible and zoneless expiries, and names the problem', () => {
    const parse = (expires: string) =>
      exceptionSchema.safeParse({
        name: 'e',
        policies: ['*'],
        reason: 'r',
        expires,
        match: { kinds: ['Pod'] },
      });
    for (const expires of ['2027-02-30', '2027-01-31T18:00:00', '2027-01-31T24:00:00Z']) {
      const result = parse(expires);
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['expires']);
      expect(result.error?.issues[0]?.message).toContain(`expires "${expires}"`);
    }
    expect(parse('2027-01-31T18:00:00+02:00').success).toBe(true);
  });
  it('expires at the instant of an RFC 3339 time, whatever its offset', () => {
    const e = exceptionSchema.parse({
      name: 'e',
      policies: ['*'],
      reason: 'r',
      expires: '2027-01-31T20:00:00+02:00',
      match: { kinds: ['Pod'] },
    });
    expect(isExpired(e, new Date(Date.UTC(2027, 0, 31, 17, 59, 59)))).toBe(false);
    expect(isExpired(e, new Date(Date.UTC(2027, 0, 31, 18)))).toBe(true);
  });
  it('refuses an expiry that bypassed the schema instead of never expiring', () => {
    const e = { name: 'e', policies: ['*'], reason: 'r', expires: '2027-02-30', match: { kinds: ['Pod'] } };
    expect(() => isExpired(e, new Date())).toThrow(/February 2027 has 28 days/);
  });
});

/** RFC 1123 subdomain, checked label by label as Kubernetes' IsDNS1123Subdomain describes it. */
function referenceSubdomain(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => {
    if (label.length === 0) return false;
    const alnum = (c: string | undefined) => c !== undefined && /^[a-z0-9]$/.test(c);
    return alnum(label[0]) && alnum(label.at(-1)) && [...label].every((c) => alnum(c) || c === '-');
  });
}

describe('exception names', () => {
  const nameLike = fc.oneof(
    fc.string({ unit: fc.constantFrom('a', 'z', '0', '9', '-', '.', 'A', '_', ' ', 'é'), maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.string({ unit: fc.constantFrom('a', '-', '.'), minLength: 250, maxLength: 256 }),
  );

  it('accepts exactly the RFC 1123 subdomains', () => {
    for (const name of ['a', 'log-shipper', 'a.b', '0', 'a-b.c-d', 'x'.repeat(253)]) {
      expect(isKubernetesName(name)).toBe(true);
    }
    for (const name of ['', 'A', 'a_b', 'a..b', 'a.-b', '-a', 'a-', '.a', 'a.', 'x'.repeat(254), 'a\n']) {
      expect(isKubernetesName(name)).toBe(false);
    }
    fc.assert(
      fc.property(nameLike, (name) => {
        expect(isKubernetesName(name)).toBe(referenceSubdomain(name));
      }),
      { numRuns: 3000 },
    );
  });

  it('maps every name to a valid one, valid names to themselves, distinct names to distinct ones', () => {
    fc.assert(
      fc.property(fc.uniqueArray(nameLike, { minLength: 2, maxLength: 30 }), (names) => {
        const mapped = names.map(exceptionResourceName);
        for (const [i, name] of mapped.entries()) {
          expect(referenceSubdomain(name)).toBe(true);
          if (referenceSubdomain(names[i] as string)) expect(name).toBe(names[i]);
        }
        expect(new Set(mapped).size).toBe(names.length);
      }),
      { numRuns: 1000 },
    );
    expect(exceptionResourceName('a..b')).not.toBe('a..b');
    expect(exceptionResourceName('Legacy App')).toMatch(/^legacy-app-[0-9a-f]{10}$/);
  });

  it('refuses a document whose name is not a Kubernetes name, at metadata.name', () => {
    const doc = (name: string) => ({
      apiVersion: 'palisade.dev/v1alpha1',
      kind: 'PolicyException',
      metadata: { name },
      spec: { policies: ['*'], reason: 'r', match: { kinds: ['Pod'] } },
    });
    const refused = exceptionDocumentSchema.safeParse(doc('Legacy_App'));
    expect(refused.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [['metadata', 'name'], expect.stringContaining('"Legacy_App" is not a Kubernetes name')],
    ]);
    expect(exceptionFromDocument(doc('legacy-app')).name).toBe('legacy-app');
  });
});
