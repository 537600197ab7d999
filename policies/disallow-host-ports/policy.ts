import { bind, check, containers, definePolicy, field, list, msg, ne, rule } from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

export default definePolicy({
  id: 'disallow-host-ports',
  title: 'Disallow hostPorts',
  description: 'Host ports bind containers to node interfaces and must be forbidden (undefined or 0 only).',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation:
    'Remove hostPort from container ports (or set it to 0); expose the workload through a Service.',
  standard: pssStandard('Host Ports'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'hostPorts',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              forEach: [bind('c', containers()), bind('port', list(field('c', 'ports')))],
              deny: ne(field('port', 'hostPort', 0), 0),
              message: msg`container "${field('c', 'name')}" must not use hostPort ${field('port', 'hostPort')}`,
              field: 'hostPort',
            }),
          ]),
        },
      ],
    },
  ],
});
