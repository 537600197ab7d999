import { Validator } from '@palisade/validator';
import { describe, expect, it } from 'vitest';
import { describeFixtures, wrapPodInController } from '../testing/index.js';
import policy from './policy.js';

describeFixtures(policy, import.meta.dirname);

describe('require-probes kinds', () => {
  const validator = new Validator({ policies: [{ policy, rule: policy.rule! }] });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'batch' },
    spec: { restartPolicy: 'Never', containers: [{ name: 'app', image: 'registry.example.com/app:1.0' }] },
  };

  it('does not apply to Jobs and CronJobs, which run to completion', () => {
    expect(validator.validate(wrapPodInController(pod, 'Job'))).toEqual([]);
    expect(validator.validate(wrapPodInController(pod, 'CronJob'))).toEqual([]);
  });

  it.each(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'] as const)(
    'applies to %s',
    (kind) => {
      expect(validator.validate(wrapPodInController(pod, kind))[0]?.status).toBe('fail');
    },
  );
});

describe('require-probes parameters', () => {
  it('defaults to today: liveness and readiness, all required', () => {
    expect(policy.params.parse({})).toEqual({
      probes: ['livenessProbe', 'readinessProbe'],
      require: 'all',
    });
  });

  it('rejects unknown probes, an empty list and other modes', () => {
    for (const params of [{ probes: ['livenessprobe'] }, { probes: [] }, { require: 'one' }]) {
      expect(policy.params.safeParse(params).success, JSON.stringify(params)).toBe(false);
    }
  });
});
