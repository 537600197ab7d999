import { resolvePolicy } from '@palisade/core';
import { InvalidParametersError, Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures, loadFixtureParams, loadFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

const resolved = resolvePolicy(policy);
if (!resolved) throw new Error('disallow-host-ports resolves at latest');

function statusOf(params: unknown, hostPort: number) {
  const validator = new Validator({ policies: [{ ...resolved!, params }] });
  const results = validator.validate({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'app', image: 'app', ports: [{ containerPort: 80, hostPort }] }] },
  });
  return results[0]?.status;
}

describe('disallow-host-ports parameters', () => {
  it('defaults to no allowed host port (upstream)', () => {
    expect(policy.params.parse({})).toEqual({ allowedHostPorts: [], allowedHostPortRanges: [] });
    expect(statusOf({}, 1)).toBe('fail');
  });

  it('allows listed ports and inclusive ranges only', () => {
    const params = { allowedHostPorts: [443], allowedHostPortRanges: [{ min: 30000, max: 30000 }] };
    expect([442, 443, 444, 29999, 30000, 30001].map((port) => statusOf(params, port))).toEqual([
      'fail',
      'pass',
      'fail',
      'fail',
      'pass',
      'fail',
    ]);
  });

  it('rejects ports outside 1-65535, non-integers and ranges with min above max', () => {
    for (const params of [
      { allowedHostPorts: [0] },
      { allowedHostPorts: [65536] },
      { allowedHostPorts: [80.5] },
      { allowedHostPorts: ['80'] },
      { allowedHostPortRanges: [{ min: 9000, max: 8999 }] },
      { allowedHostPortRanges: [{ min: 9000 }] },
    ]) {
      expect(() => statusOf(params, 80), JSON.stringify(params)).toThrow(InvalidParametersError);
    }
  });

  it('gives the top-level fixtures the same result with the fixture parameters and with the defaults', () => {
    // palisade build writes these fixtures as tests whatever the configured parameters.
    const withParams = new Validator({
      policies: [{ ...resolved, params: loadFixtureParams(import.meta.dirname) }],
    });
    const withDefaults = new Validator({ policies: [resolved] });
    for (const fixture of loadFixtures(import.meta.dirname)) {
      const [a] = withParams.validate(fixture.object);
      const [b] = withDefaults.validate(fixture.object);
      expect({ file: fixture.name, status: b?.status, message: b?.message }).toEqual({
        file: fixture.name,
        status: a?.status,
        message: a?.message,
      });
    }
  });

  it('keeps parameter values out of the rule: they travel as data', () => {
    const text = JSON.stringify(resolved.rule);
    expect(text).toContain('{"param":"allowedHostPorts"}');
    expect(text).toContain('{"param":"allowedHostPortRanges"}');
  });
});
