import {
  bind,
  type Check,
  check,
  containers,
  defineCataloguePolicy,
  field,
  msg,
  ne,
  not,
  oneOf,
  rule,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

const TYPES_1_0 = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
const TYPES_1_31 = [...TYPES_1_0, 'container_engine_t'];

/** Checks of one seLinuxOptions block: `from`/`prefix` locate it on the pod or on a container. */
function seLinuxChecks(allowedTypes: string[]): Check[] {
  const setters = [
    { forEach: undefined, from: 'pod', prefix: 'spec.securityContext.seLinuxOptions', who: msg`pod` },
    {
      forEach: bind('c', containers()),
      from: 'c',
      prefix: 'securityContext.seLinuxOptions',
      who: msg`container "${field('c', 'name')}"`,
    },
  ];
  return setters.flatMap(({ forEach, from, prefix, who }) => {
    const base = forEach ? { forEach } : {};
    return [
      check({
        ...base,
        deny: not(oneOf(field(from, `${prefix}.type`, ''), allowedTypes)),
        message: [...who, ...msg` must not set seLinuxOptions.type to ${field(from, `${prefix}.type`)}`],
        field: `${prefix}.type`,
      }),
      ...(['user', 'role'] as const).map((key) =>
        check({
          ...base,
          deny: ne(field(from, `${prefix}.${key}`, ''), ''),
          message: [...who, ` must not set seLinuxOptions.${key}`],
          field: `${prefix}.${key}`,
        }),
      ),
    ];
  });
}

export default defineCataloguePolicy({
  id: 'disallow-selinux',
  title: 'Disallow Custom SELinux Options',
  description:
    'Setting the SELinux type is restricted to the container types, and setting a custom SELinux user or role is ' +
    'forbidden.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation: `Remove seLinuxOptions.user and .role; use a type among ${TYPES_1_31.filter(Boolean).join(', ')}.`,
  standard: pssStandard('SELinux'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'seLinuxOptions',
      revisions: [
        { since: '1.0', rule: rule(seLinuxChecks(TYPES_1_0)) },
        { since: '1.31', rule: rule(seLinuxChecks(TYPES_1_31)) },
      ],
    },
  ],
});
