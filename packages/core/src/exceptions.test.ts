import { describe, expect, it } from 'vitest';
import { exceptionFromDocument, exceptionMatchesResource, exceptionSchema, isExpired } from './exceptions.js';

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
});
