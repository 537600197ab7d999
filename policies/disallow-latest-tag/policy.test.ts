import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('disallow-latest-tag image references', () => {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule! }] });
  const statusOf = (image: string) =>
    validator.validate({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { containers: [{ name: 'app', image }] },
    })[0]?.status;

  it.each([
    'nginx:1.25',
    'docker.io/library/nginx:1.25.3-alpine',
    'registry:5000/app:1.2',
    'localhost:5000/team/app:v2',
    '[::1]:5000/app:1.0',
    'app:LATEST',
    'app:latest-2024',
    'app:_build',
    `app@${DIGEST}`,
    `app:latest@${DIGEST}`,
    `registry:5000/app@${DIGEST}`,
    `app@sha512:${'ab'.repeat(64)}`,
  ])('allows %s', (image) => expect(statusOf(image)).toBe('pass'));

  it.each([
    'nginx',
    'nginx:latest',
    'registry:5000/app',
    'registry:5000/app:latest',
    'localhost:5000/team/app',
    'app:',
    'app:.hidden',
    'app:v1+build',
    `app:${'a'.repeat(129)}`,
    'app@sha256:abc',
    'app:latest@sha256:abc',
    `@${DIGEST}`,
    'app:latest\n',
    '',
  ])('denies %j', (image) => expect(statusOf(image)).toBe('fail'));
});
