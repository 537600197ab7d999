import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

const HEX = '0123456789abcdef'.repeat(4);

describe('require-image-digest image references', () => {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule! }] });
  const statusOf = (image: string) =>
    validator.validate({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app', image }] },
    })[0]?.status;

  it.each([
    `app@sha256:${HEX}`,
    `app:1.0@sha256:${HEX}`,
    `app:latest@sha256:${HEX}`,
    `registry:5000/team/app@sha256:${HEX}`,
  ])('allows %s', (image) => expect(statusOf(image)).toBe('pass'));

  it.each([
    'app',
    'app:1.0',
    'registry:5000/app',
    `app:sha256-${HEX}`,
    `app@sha256:${HEX.slice(1)}`,
    `app@sha256:${HEX}0`,
    `app@sha256:${HEX.toUpperCase()}`,
    `app@sha512:${HEX}${HEX}`,
    `app@sha256:${HEX}@sha256:${HEX}`,
    `@sha256:${HEX}`,
    `app@sha256:${HEX}\n`,
    `app@sha256:${HEX} `,
    '',
  ])('denies %j', (image) => expect(statusOf(image)).toBe('fail'));
});
