import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

describe('restrict-service-external-ips parameters', () => {
  const resultOf = (allowedIPs: string[] | undefined, externalIPs: string[]) =>
    new Validator({
      policies: [{ policy, rule: policy.rule!, params: allowedIPs && { allowedIPs } }],
    }).validate({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'team-a' },
      spec: { externalIPs },
    })[0]!;

  it('allows no external IP by default', () => {
    expect(resultOf(undefined, ['192.0.2.10']).message).toBe(
      'Service must not use external IP "192.0.2.10" in spec.externalIPs',
    );
    expect(resultOf(undefined, []).status).toBe('pass');
  });

  it('reports every IP outside the allowed list', () => {
    const result = resultOf(['192.0.2.10'], ['192.0.2.10', '198.51.100.7', '2001:db8::1']);
    expect(result.message).toBe(
      'Service must not use external IP "198.51.100.7" in spec.externalIPs; ' +
        'Service must not use external IP "2001:db8::1" in spec.externalIPs',
    );
    expect(result.violations.map((v) => v.path)).toEqual([
      ['spec', 'externalIPs', 1],
      ['spec', 'externalIPs', 2],
    ]);
  });

  it('compares IPs exactly, never as patterns', () => {
    expect(resultOf(['192.0.2.0/24'], ['192.0.2.10']).status).toBe('fail');
    expect(resultOf(['192.0.2.*'], ['192.0.2.10']).status).toBe('fail');
    expect(resultOf(['2001:db8::1'], ['2001:DB8:0::1']).status).toBe('fail');
  });
});
