import {
  all,
  bind,
  check,
  containers,
  defineCataloguePolicy,
  eq,
  field,
  isUndefined,
  msg,
  ne,
  pod,
  rule,
} from '@palisade/core';
import { notUserNamespacePod, pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

const podValue = pod('spec.securityContext.runAsNonRoot');

/** The pod-level setting is the default that a container's own setting overrides. */
const checks = [
  check({
    deny: eq(podValue, false),
    message: msg`pod must not set securityContext.runAsNonRoot=false`,
    field: 'spec.securityContext.runAsNonRoot',
  }),
  check({
    forEach: bind('c', containers()),
    deny: eq(field('c', 'securityContext.runAsNonRoot'), false),
    message: msg`container "${field('c', 'name')}" must not set securityContext.runAsNonRoot=false`,
    field: 'securityContext.runAsNonRoot',
  }),
  check({
    forEach: bind('c', containers()),
    deny: all(isUndefined(field('c', 'securityContext.runAsNonRoot')), ne(podValue, true)),
    message: msg`pod or container "${field('c', 'name')}" must set securityContext.runAsNonRoot=true`,
    field: 'securityContext.runAsNonRoot',
  }),
];

export default defineCataloguePolicy({
  id: 'require-run-as-nonroot',
  title: 'Require runAsNonRoot',
  description:
    'Containers must run as non-root users: the pod sets runAsNonRoot=true (and no container sets false), or every ' +
    'container sets true. From v1.35, pods in a user namespace (spec.hostUsers: false) are exempt.',
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation: 'Set spec.securityContext.runAsNonRoot: true, and do not set it to false on any container.',
  standard: pssStandard('Running as Non-root'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'runAsNonRoot',
      revisions: [
        { since: '1.0', rule: rule(checks) },
        { since: '1.35', rule: rule(checks, notUserNamespacePod) },
      ],
    },
  ],
});
