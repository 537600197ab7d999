import { InvalidParametersError, Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

describe('require-runtime-class parameters', () => {
  const statusOf = (runtimeClasses: unknown, runtimeClassName: unknown) =>
    new Validator({ policies: [{ policy, rule: policy.rule!, params: { runtimeClasses } }] }).validate({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { runtimeClassName, containers: [{ name: 'app', image: 'registry.example.com/app:1.0' }] },
    })[0]?.status;

  it('has no default', () => {
    expect(() => new Validator({ policies: [{ policy, rule: policy.rule! }] })).toThrow(
      InvalidParametersError,
    );
    expect(() => statusOf([], 'gvisor')).toThrow(InvalidParametersError);
    expect(() => statusOf([''], '')).toThrow(InvalidParametersError);
  });

  it('compares names exactly, as data', () => {
    expect(statusOf(['gvisor'], 'gvisor')).toBe('pass');
    expect(statusOf(['gvisor'], 'gVisor')).toBe('fail');
    expect(statusOf(['gvisor'], 'gvisor ')).toBe('fail');
    expect(statusOf(['.*'], 'runc')).toBe('fail');
    expect(statusOf(['"] or true'], 'runc')).toBe('fail');
    expect(statusOf(['"] or true'], '"] or true')).toBe('pass');
  });
});
