import {
  all,
  any,
  bind,
  check,
  concat,
  containers,
  defineCataloguePolicy,
  defined,
  entries,
  eq,
  field,
  msg,
  not,
  oneOf,
  pod,
  rule,
  some,
  startsWith,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

export const SECCOMP_ALLOWED_TYPES = ['RuntimeDefault', 'Localhost'];
const POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const CONTAINER_ANNOTATION_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';

/** Allowed values of the pre-1.19 seccomp annotations. */
const validAnnotation = (value: ReturnType<typeof field>) =>
  any(eq(value, 'runtime/default'), eq(value, 'docker/default'), startsWith(value, 'localhost/'));

/** v1.0–v1.18: the alpha annotations (a present annotation must hold an allowed value, even when empty). */
const annotationRule = rule([
  // Iterates entries rather than reading the key so a present-but-null annotation counts as set, as upstream's
  // map lookup does.
  check({
    forEach: bind('a', entries(pod('metadata.annotations'))),
    deny: all(eq(field('a', 'key'), POD_ANNOTATION), not(validAnnotation(field('a', 'value')))),
    message: msg`pod must not set annotation ${POD_ANNOTATION} to ${field('a', 'value')}`,
    field: '',
  }),
  check({
    forEach: bind('a', entries(pod('metadata.annotations'))),
    deny: all(
      startsWith(field('a', 'key'), CONTAINER_ANNOTATION_PREFIX),
      some('c', containers(), eq(field('a', 'key'), concat(CONTAINER_ANNOTATION_PREFIX, field('c', 'name')))),
      not(validAnnotation(field('a', 'value'))),
    ),
    message: msg`annotation "${field('a', 'key')}" must not set seccomp profile ${field('a', 'value')}`,
    field: '',
  }),
]);

/** v1.19+: seccompProfile.type, when set, is RuntimeDefault or Localhost. */
const fieldRule = rule([
  check({
    deny: all(
      defined(pod('spec.securityContext.seccompProfile')),
      not(oneOf(pod('spec.securityContext.seccompProfile.type'), SECCOMP_ALLOWED_TYPES)),
    ),
    message: msg`pod must not set securityContext.seccompProfile.type to ${pod('spec.securityContext.seccompProfile.type')}`,
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
]);

export default defineCataloguePolicy({
  id: 'restrict-seccomp',
  title: 'Restrict Seccomp',
  description:
    'Seccomp profiles, when specified, must be RuntimeDefault or Localhost; Unconfined is forbidden.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation: 'Set seccompProfile.type to RuntimeDefault (or Localhost with a profile), or remove it.',
  standard: pssStandard('Seccomp'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'seccompProfile_baseline',
      revisions: [
        { since: '1.0', rule: annotationRule },
        { since: '1.19', rule: fieldRule },
      ],
    },
  ],
});
