import {
  all,
  bind,
  check,
  containers,
  defineCataloguePolicy,
  defined,
  field,
  isUndefined,
  msg,
  not,
  oneOf,
  pod,
  rule,
} from '@palisade/core';
import { SECCOMP_ALLOWED_TYPES } from '../restrict-seccomp/policy.js';
import { notWindowsPod, pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

const podProfile = pod('spec.securityContext.seccompProfile');
const podType = pod('spec.securityContext.seccompProfile.type');
const podSetsValidProfile = all(defined(podProfile), oneOf(podType, SECCOMP_ALLOWED_TYPES));

const checks = [
  check({
    deny: all(defined(podProfile), not(oneOf(podType, SECCOMP_ALLOWED_TYPES))),
    message: msg`pod must not set securityContext.seccompProfile.type to ${podType}`,
    field: 'spec.securityContext.seccompProfile.type',
  }),
  check({
    forEach: bind('c', containers()),
    deny: all(
      defined(field('c', 'securityContext.seccompProfile')),
      not(oneOf(field('c', 'securityContext.seccompProfile.type'), SECCOMP_ALLOWED_TYPES)),
    ),
    message: msg`container "${field('c', 'name')}" must not set securityContext.seccompProfile.type to ${field('c', 'securityContext.seccompProfile.type')}`,
    field: 'securityContext.seccompProfile.type',
  }),
  check({
    forEach: bind('c', containers()),
    deny: all(isUndefined(field('c', 'securityContext.seccompProfile')), not(podSetsValidProfile)),
    message: msg`pod or container "${field('c', 'name')}" must set securityContext.seccompProfile.type to RuntimeDefault or Localhost`,
    field: 'securityContext.seccompProfile',
  }),
];

export default defineCataloguePolicy({
  id: 'restrict-seccomp-strict',
  title: 'Restrict Seccomp (Strict)',
  description:
    'A seccomp profile must be set, to RuntimeDefault or Localhost: on the pod (with no container overriding it to ' +
    'another value) or on every container. Windows pods are exempt from v1.25.',
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault.',
  standard: pssStandard('Seccomp'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'seccompProfile_restricted',
      revisions: [
        { since: '1.19', rule: rule(checks), overrides: ['restrict-seccomp'] },
        { since: '1.25', rule: rule(checks, notWindowsPod), overrides: ['restrict-seccomp'] },
      ],
    },
  ],
});
