import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  list,
  msg,
  not,
  oneOf,
  rule,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

/** The default capability set a baseline container may add (upstream capabilities_allowed_1_0). */
export const BASELINE_ALLOWED_CAPABILITIES = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

export default defineCataloguePolicy({
  id: 'disallow-capabilities',
  title: 'Disallow Capabilities',
  description:
    'Adding capabilities beyond the default set (such as NET_RAW or SYS_ADMIN) must be disallowed.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation: `Only add capabilities from the default set: ${BASELINE_ALLOWED_CAPABILITIES.join(', ')}.`,
  standard: pssStandard('Capabilities'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'capabilities_baseline',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              forEach: [
                bind('c', containers()),
                bind('cap', list(field('c', 'securityContext.capabilities.add'))),
              ],
              deny: not(oneOf(field('cap', ''), BASELINE_ALLOWED_CAPABILITIES)),
              message: msg`container "${field('c', 'name')}" must not include "${field('cap', '')}" in securityContext.capabilities.add`,
              field: '',
            }),
          ]),
        },
      ],
    },
  ],
});
