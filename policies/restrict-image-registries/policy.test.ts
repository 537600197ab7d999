import { InvalidParametersError, Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

function statusOf(registries: unknown, image: string) {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule!, params: { registries } }] });
  const results = validator.validate({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'app', image }] },
  });
  return results[0]?.status;
}

describe('restrict-image-registries parameters', () => {
  it('has no default: an allow-list must be chosen', () => {
    expect(() => new Validator({ policies: [{ policy, rule: policy.rule! }] })).toThrow(
      InvalidParametersError,
    );
    expect(() => statusOf([], 'registry.example.com/app:1.0')).toThrow(InvalidParametersError);
    expect(() => statusOf([''], 'registry.example.com/app:1.0')).toThrow(InvalidParametersError);
    expect(() => statusOf('registry.example.com/', 'registry.example.com/app:1.0')).toThrow(
      InvalidParametersError,
    );
  });

  it('keeps parameter values out of the rule: they travel as data', () => {
    expect(JSON.stringify(policy.rule)).toContain('{"param":"registries"}');
    expect(JSON.stringify(policy.rule)).not.toContain('example');
  });

  // Each hostile value must act as a literal prefix: it admits images that start with exactly that text, and
  // nothing else (not every image, as an injected `or true` or a regex `.*` would).
  const hostile = [
    '"} or true',
    '") || true || ("',
    "' || true || '",
    '"]; true; x := ["',
    '.*',
    '*',
    '^',
    '$',
    '[a-z]+',
    '\\',
    'registry.example.com/\nevil.io/',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the hostile input
    '${registries}',
    '{{ .Values }}',
    '%s%s%n',
    '\u0000',
  ];

  it.each(hostile)('treats %j as a literal prefix', (prefix) => {
    expect(statusOf([prefix], 'evil.io/app:1.0')).toBe('fail');
    expect(statusOf([prefix], 'registry.example.com/app:1.0')).toBe('fail');
    expect(statusOf([prefix], `${prefix}app:1.0`)).toBe('pass');
    expect(statusOf([prefix, 'registry.example.com/'], 'registry.example.com/app:1.0')).toBe('pass');
    expect(statusOf([prefix, 'registry.example.com/'], 'evil.io/app:1.0')).toBe('fail');
  });

  it('matches the newline-containing prefix only as a whole', () => {
    const prefix = 'registry.example.com/\nevil.io/';
    expect(statusOf([prefix], 'evil.io/app:1.0')).toBe('fail');
    expect(statusOf([prefix], 'registry.example.com/app:1.0')).toBe('fail');
  });
});
