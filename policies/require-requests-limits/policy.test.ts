import { InvalidParametersError, Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

function resultOf(params: unknown, resources: unknown, podResources?: unknown) {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule!, params }] });
  return validator.validate({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: {
      resources: podResources,
      containers: [{ name: 'app', image: 'registry.example.com/app:1.0', resources }],
    },
  })[0]!;
}

describe('require-requests-limits parameters', () => {
  it('requires nothing when both lists are empty', () => {
    expect(resultOf({ requests: [], limits: [] }, undefined).status).toBe('pass');
  });

  it('requires exactly the listed resources', () => {
    const params = { requests: ['memory'], limits: ['cpu', 'memory'] };
    expect(resultOf(params, { limits: { cpu: '1', memory: '1Gi' } }).status).toBe('pass');
    expect(resultOf(params, { requests: { memory: '1Gi' }, limits: { memory: '1Gi' } }).message).toBe(
      'container "app" must set resources.limits.cpu',
    );
  });

  it('takes pod-level limits for both requests and limits', () => {
    const params = { requests: ['cpu', 'memory'], limits: ['cpu', 'memory'] };
    expect(resultOf(params, undefined, { limits: { cpu: '1', memory: '1Gi' } }).status).toBe('pass');
    expect(resultOf(params, undefined, { requests: { cpu: '1', memory: '1Gi' } }).message).toBe(
      'container "app" must set resources.limits.cpu; container "app" must set resources.limits.memory',
    );
  });

  it.each(['0', '0m', '0.0', '.0', '0Ki', '0e6', '+0', 0, 0.0])('treats %j as zero', (zero) => {
    expect(resultOf({ requests: [], limits: ['memory'] }, { limits: { memory: zero } }).message).toBe(
      'container "app" must set resources.limits.memory to a non-zero quantity',
    );
  });

  it.each(['1', '0.5', '500m', '10Mi', '1e3', 1, 0.25])('accepts %j', (quantity) => {
    expect(resultOf({ requests: [], limits: ['memory'] }, { limits: { memory: quantity } }).status).toBe(
      'pass',
    );
  });

  it('rejects unknown resources', () => {
    expect(() => resultOf({ requests: ['gpu'] }, undefined)).toThrow(InvalidParametersError);
  });
});
