import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

describe('disallow-default-namespace kinds', () => {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule! }] });
  const statusOf = (kind: string, namespace?: string) =>
    validator.validate({ apiVersion: 'v1', kind, metadata: { name: 'x', namespace } })[0]?.status;

  it.each(policy.match.kinds.filter((k) => k !== 'Pod'))('checks %s', (kind) => {
    expect(statusOf(kind, 'team-a')).toBe('pass');
    expect(statusOf(kind, 'default')).toBe('fail');
    expect(statusOf(kind)).toBe('fail');
  });

  it.each(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolume'])(
    'ignores cluster-scoped %s',
    (kind) => {
      expect(validator.validate({ apiVersion: 'v1', kind, metadata: { name: 'x' } })).toEqual([]);
    },
  );
});

describe('disallow-default-namespace field', () => {
  it('points at the resource namespace, not the pod template', () => {
    const validator = new Validator({ policies: [{ policy, rule: policy.rule! }] });
    const [result] = validator.validate({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'default' },
      spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1' }] } } },
    });
    expect(result?.violations.map((v) => v.path)).toEqual([['metadata', 'namespace']]);
  });
});
