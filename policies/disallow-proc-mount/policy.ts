import { bind, check, containers, defineCataloguePolicy, field, msg, ne, rule } from '@palisade/core';
import { BASELINE_CATEGORY, notUserNamespacePod, pssStandard } from '../shared/pss.js';

const procMountChecks = [
  check({
    forEach: bind('c', containers()),
    deny: ne(field('c', 'securityContext.procMount', 'Default'), 'Default'),
    message: msg`container "${field('c', 'name')}" must not set securityContext.procMount to ${field('c', 'securityContext.procMount')}`,
    field: 'securityContext.procMount',
  }),
];

export default defineCataloguePolicy({
  id: 'disallow-proc-mount',
  title: 'Disallow procMount',
  description:
    'The default /proc masks reduce attack surface and are required. Baseline allows any procMount for pods in a ' +
    'user namespace (spec.hostUsers: false) from v1.35; restricted never does.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation: 'Remove securityContext.procMount from every container, or set it to Default.',
  standard: pssStandard('/proc Mount Type'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'procMount',
      revisions: [
        { since: '1.0', rule: rule(procMountChecks) },
        { since: '1.35', rule: rule(procMountChecks, notUserNamespacePod) },
      ],
    },
    {
      level: 'restricted',
      check: 'procMount_restricted',
      revisions: [{ since: '1.35', rule: rule(procMountChecks), overrides: ['disallow-proc-mount'] }],
    },
  ],
});
