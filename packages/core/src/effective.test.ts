import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, eq, object, rule } from './builder.js';
import { effectivePolicy, InvalidParametersError, profileIdsOf, resolveTargetPolicies } from './effective.js';
import type { PolicyException } from './exceptions.js';
import { definePolicy } from './policy.js';
import { resolvePolicy } from './profiles.js';

const anyCheck = rule([check({ deny: eq(object('kind'), 'X'), message: ['x'], field: 'kind' })]);

const ports = definePolicy({
  id: 'ports',
  title: 'Ports',
  description: 'd',
  severity: 'high',
  category: 'Network',
  remediation: 'r',
  match: { kinds: ['Pod'] },
  params: z.object({ allowed: z.array(z.number()).default([80]) }),
  rule: () => anyCheck,
});
const config = resolvePolicy(ports);
if (!config) throw new Error('no rule');

const NOW = new Date('2026-06-01T00:00:00Z');
const exception = (name: string, policies: string[], expires?: string): PolicyException => ({
  name,
  policies,
  reason: 'r',
  match: { namespaces: ['ops'] },
  ...(expires ? { expires } : {}),
});

describe('resolveTargetPolicies', () => {
  it('gives the policy’s match and enforcement unless configured, and parameters with defaults', () => {
    const [plain] = resolveTargetPolicies([config], { now: NOW });
    expect(plain?.match).toEqual(ports.match);
    expect(plain?.enforcement).toBe('audit');
    expect(plain?.params).toEqual({ allowed: [80] });
    expect(plain?.pssVersion).toBe('latest');
    const match = { kinds: ['Deployment'] };
    const [configured] = resolveTargetPolicies([{ ...config, match, enforcement: 'enforce', params: {} }], {
      now: NOW,
      pssVersion: 'v1.30',
    });
    expect(configured?.match).toEqual(match);
    expect(configured?.enforcement).toBe('enforce');
    expect(configured?.pssVersion).toBe('v1.30');
  });

  it('refuses parameters that do not fit, in one line naming the policy', () => {
    const resolve = () => resolveTargetPolicies([{ ...config, params: { allowed: ['x'] } }]);
    expect(resolve).toThrow(InvalidParametersError);
    expect(resolve).toThrow(/^invalid parameters for policy ports: [^\n]+$/);
  });

  it('keeps the exceptions covering each policy, split into live and expired at now', () => {
    const exceptions = [
      exception('all', ['*']),
      exception('mine', ['ports'], '2026-05-31'),
      exception('mine-later', ['ports'], '2026-06-01T00:00:01Z'),
      exception('other', ['other']),
    ];
    const [policy] = resolveTargetPolicies([config], { exceptions, now: NOW });
    expect(policy?.exceptions.live.map((e) => e.name)).toEqual(['all', 'mine-later']);
    expect(policy?.exceptions.expired.map((e) => e.name)).toEqual(['mine']);
  });

  it('refuses a policy configured twice, and resolves an already resolved policy to itself', () => {
    expect(() => resolveTargetPolicies([config, config])).toThrow('policy ports is configured twice');
    const resolved = effectivePolicy(config, { now: NOW });
    expect(effectivePolicy(resolved)).toBe(resolved);
    expect(profileIdsOf([resolved], 'latest')).toEqual({ baseline: [], restricted: [] });
  });
});
