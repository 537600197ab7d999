import { bind, check, containers, defineCataloguePolicy, eq, field, msg, pod, rule } from '@palisade/core';
import { notUserNamespacePod, pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

const checks = [
  check({
    deny: eq(pod('spec.securityContext.runAsUser'), 0),
    message: msg`pod must not set securityContext.runAsUser=0`,
    field: 'spec.securityContext.runAsUser',
  }),
  check({
    forEach: bind('c', containers()),
    deny: eq(field('c', 'securityContext.runAsUser'), 0),
    message: msg`container "${field('c', 'name')}" must not set securityContext.runAsUser=0`,
    field: 'securityContext.runAsUser',
  }),
];

export default defineCataloguePolicy({
  id: 'require-run-as-non-root-user',
  title: 'Require Non-root User',
  description:
    'Containers must not set runAsUser to 0 (root). From v1.35, pods in a user namespace (spec.hostUsers: false) ' +
    'are exempt.',
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation: 'Set runAsUser to a non-zero UID, or remove it and build the image with a non-root USER.',
  standard: pssStandard('Running as Non-root user'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'runAsUser',
      revisions: [
        { since: '1.23', rule: rule(checks) },
        { since: '1.35', rule: rule(checks, notUserNamespacePod) },
      ],
    },
  ],
});
