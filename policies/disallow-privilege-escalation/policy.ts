import { bind, check, containers, defineCataloguePolicy, field, msg, ne, rule } from '@palisade/core';
import { notWindowsPod, pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

const checks = [
  check({
    forEach: bind('c', containers()),
    deny: ne(field('c', 'securityContext.allowPrivilegeEscalation'), false),
    message: msg`container "${field('c', 'name')}" must set securityContext.allowPrivilegeEscalation=false`,
    field: 'securityContext.allowPrivilegeEscalation',
  }),
];

export default defineCataloguePolicy({
  id: 'disallow-privilege-escalation',
  title: 'Disallow Privilege Escalation',
  description:
    'Privilege escalation (such as via set-user-ID or set-group-ID file mode) must not be allowed. Windows pods are ' +
    'exempt from v1.25.',
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation: 'Set securityContext.allowPrivilegeEscalation: false in every container.',
  standard: pssStandard('Privilege Escalation'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'allowPrivilegeEscalation',
      revisions: [
        { since: '1.8', rule: rule(checks) },
        { since: '1.25', rule: rule(checks, notWindowsPod) },
      ],
    },
  ],
});
