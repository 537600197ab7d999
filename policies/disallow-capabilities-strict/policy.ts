import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  eq,
  field,
  list,
  msg,
  ne,
  not,
  rule,
  some,
} from '@palisade/core';
import { notWindowsPod, pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

const checks = [
  check({
    forEach: bind('c', containers()),
    deny: not(some('d', list(field('c', 'securityContext.capabilities.drop')), eq(field('d', ''), 'ALL'))),
    message: msg`container "${field('c', 'name')}" must set securityContext.capabilities.drop=["ALL"]`,
    field: 'securityContext.capabilities.drop',
  }),
  check({
    forEach: [bind('c', containers()), bind('cap', list(field('c', 'securityContext.capabilities.add')))],
    deny: ne(field('cap', ''), 'NET_BIND_SERVICE'),
    message: msg`container "${field('c', 'name')}" must not include "${field('cap', '')}" in securityContext.capabilities.add`,
    field: '',
  }),
];

export default defineCataloguePolicy({
  id: 'disallow-capabilities-strict',
  title: 'Disallow Capabilities (Strict)',
  description:
    'Containers must drop ALL capabilities and may only add back NET_BIND_SERVICE. Windows pods are exempt from v1.25.',
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] and add at most NET_BIND_SERVICE.',
  standard: pssStandard('Capabilities'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'capabilities_restricted',
      revisions: [
        { since: '1.22', rule: rule(checks), overrides: ['disallow-capabilities'] },
        { since: '1.25', rule: rule(checks, notWindowsPod), overrides: ['disallow-capabilities'] },
      ],
    },
  ],
});
