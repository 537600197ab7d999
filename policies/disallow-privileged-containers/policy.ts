import { bind, check, containers, defineCataloguePolicy, field, isTrue, msg, rule } from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

export default defineCataloguePolicy({
  id: 'disallow-privileged-containers',
  title: 'Disallow Privileged Containers',
  description: 'Privileged containers disable most security mechanisms and must be disallowed.',
  severity: 'high',
  category: BASELINE_CATEGORY,
  remediation: 'Remove securityContext.privileged from every container, or set it to false.',
  standard: pssStandard('Privileged Containers'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'privileged',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              forEach: bind('c', containers()),
              deny: isTrue(field('c', 'securityContext.privileged')),
              message: msg`container "${field('c', 'name')}" must not set securityContext.privileged=true`,
              field: 'securityContext.privileged',
            }),
          ]),
        },
      ],
    },
  ],
});
