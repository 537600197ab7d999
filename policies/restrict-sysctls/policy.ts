import {
  bind,
  check,
  defineCataloguePolicy,
  field,
  list,
  msg,
  not,
  oneOf,
  type PssRevision,
  pod,
  rule,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

/** The safe sysctls, by the policy version that first allows them (upstream sysctlsAllowedV1Dot*). */
const SAFE_SYSCTLS_BY_VERSION: [string, string[]][] = [
  [
    '1.0',
    [
      'kernel.shm_rmid_forced',
      'net.ipv4.ip_local_port_range',
      'net.ipv4.tcp_syncookies',
      'net.ipv4.ping_group_range',
      'net.ipv4.ip_unprivileged_port_start',
    ],
  ],
  ['1.27', ['net.ipv4.ip_local_reserved_ports']],
  [
    '1.29',
    [
      'net.ipv4.tcp_keepalive_time',
      'net.ipv4.tcp_fin_timeout',
      'net.ipv4.tcp_keepalive_intvl',
      'net.ipv4.tcp_keepalive_probes',
    ],
  ],
  ['1.32', ['net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem']],
  ['1.37', ['net.ipv4.tcp_slow_start_after_idle', 'net.ipv4.tcp_notsent_lowat']],
];

const revisions: PssRevision[] = SAFE_SYSCTLS_BY_VERSION.map(([since], i) => {
  const allowed = SAFE_SYSCTLS_BY_VERSION.slice(0, i + 1).flatMap(([, names]) => names);
  return {
    since,
    rule: rule([
      check({
        forEach: bind('s', list(pod('spec.securityContext.sysctls'))),
        deny: not(oneOf(field('s', 'name'), allowed)),
        message: msg`pod must not set sysctl "${field('s', 'name')}"`,
        field: 'name',
      }),
    ]),
  };
});

export default defineCataloguePolicy({
  id: 'restrict-sysctls',
  title: 'Restrict sysctls',
  description:
    'Sysctls can disable security mechanisms or affect every container on a node; only the namespaced, isolated ' +
    '"safe" subset is allowed.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation: 'Remove unsafe sysctls from spec.securityContext.sysctls.',
  standard: pssStandard('Sysctls'),
  match: { kinds: ['Pod'] },
  pss: [{ level: 'baseline', check: 'sysctls', revisions }],
});
