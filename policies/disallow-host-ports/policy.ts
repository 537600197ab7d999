import {
  all,
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  ge,
  le,
  list,
  msg,
  ne,
  not,
  oneOf,
  param,
  rule,
  some,
} from '@palisade/core';
import { z } from 'zod';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

const port = z.number().int().min(1).max(65535);

const hostPort = field('port', 'hostPort');

export default defineCataloguePolicy({
  id: 'disallow-host-ports',
  title: 'Disallow hostPorts',
  description:
    'Host ports bind containers to node interfaces and must be forbidden (undefined or 0 only), or restricted ' +
    'to a known list: allowedHostPorts and allowedHostPortRanges (both empty by default, which is exactly ' +
    'upstream Pod Security Admission).',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation:
    'Remove hostPort from container ports (or set it to 0); expose the workload through a Service.',
  standard: pssStandard('Host Ports'),
  match: { kinds: ['Pod'] },
  // Two lists rather than one list of ports-or-ranges: a list mixing numbers and objects has no structural
  // OpenAPI schema, so Gatekeeper's constraint CRD could not validate it.
  params: z.object({
    allowedHostPorts: z.array(port).default([]).describe('Host ports containers may use'),
    allowedHostPortRanges: z
      .array(
        z
          .object({ min: port, max: port })
          .refine((range) => range.min <= range.max, { message: 'min must not be greater than max' }),
      )
      .default([])
      .describe('Inclusive ranges { min, max } of host ports containers may use'),
  }),
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
              deny: all(
                ne(field('port', 'hostPort', 0), 0),
                not(oneOf(hostPort, param('allowedHostPorts'))),
                not(
                  some(
                    'range',
                    list(param('allowedHostPortRanges')),
                    all(ge(hostPort, field('range', 'min')), le(hostPort, field('range', 'max'))),
                  ),
                ),
              ),
              message: msg`container "${field('c', 'name')}" must not use hostPort ${hostPort}`,
              field: 'hostPort',
            }),
          ]),
        },
      ],
    },
  ],
});
