import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.js';
import { appliesAsPod, matchedKinds, matchesResource, selectorMatches } from './match.js';

describe('match', () => {
  it('expands Pod to every Pod controller unless told not to', () => {
    expect(matchedKinds({ kinds: ['Pod'] })).toEqual(
      expect.arrayContaining([
        'Pod',
        'Deployment',
        'ReplicaSet',
        'StatefulSet',
        'DaemonSet',
        'Job',
        'ReplicationController',
        'CronJob',
      ]),
    );
    expect(matchedKinds({ kinds: ['Pod'], podControllers: false })).toEqual(['Pod']);
    expect(appliesAsPod({ kinds: ['Pod', 'ServiceAccount'] }, 'ServiceAccount')).toBe(false);
    expect(appliesAsPod({ kinds: ['Deployment'] }, 'Deployment')).toBe(true);
  });
  it('includes and excludes namespaces by glob', () => {
    const m = { kinds: ['Pod'], namespaces: ['team-*'], excludedNamespaces: ['team-legacy'] };
    const r = (namespace?: string) => ({ kind: 'Pod', name: 'p', namespace, labels: {} });
    expect(matchesResource(m, r('team-a'))).toBe(true);
    expect(matchesResource(m, r('team-legacy'))).toBe(false);
    expect(matchesResource(m, r('kube-system'))).toBe(false);
    expect(matchesResource(m, r(undefined))).toBe(false);
  });
  it('evaluates label selectors like Kubernetes', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'In', values: ['back'] }] }, labels),
    ).toBe(false);
    expect(
      selectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, labels),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, labels)).toBe(false);
    expect(selectorMatches({ matchExpressions: [{ key: 'env', operator: 'DoesNotExist' }] }, labels)).toBe(
      true,
    );
  });
  it('globs treat regex metacharacters literally', () => {
    expect(globMatch('registry.example.com/app', 'registry.example.com/*')).toBe(true);
    expect(globMatch('registryXexample.com/app', 'registry.example.com/*')).toBe(false);
    expect(globMatch('a(b)', 'a(?)')).toBe(true);
    expect(globMatch('multi\nline', 'multi*')).toBe(true);
  });
});

describe('glob characters', () => {
  it('matches one code point with ?', () => {
    expect(globMatch('a😀', 'a?')).toBe(true);
  });
});
