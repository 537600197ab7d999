import {
  all,
  any,
  bind,
  check,
  containers,
  defineCataloguePolicy,
  defined,
  eq,
  field,
  isUndefined,
  msg,
  not,
  oneOf,
  rule,
} from '@palisade/core';
import { z } from 'zod';

export const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

export default defineCataloguePolicy({
  id: 'require-probes',
  title: 'Require Liveness and Readiness Probes',
  description:
    'Long-running containers must define a liveness probe (so a hung process is restarted) and a readiness ' +
    'probe (so traffic only reaches instances that can serve it). Which probes, and whether all of them or any ' +
    'one is required, are parameters (peers differ). Only regular containers of long-running workloads are ' +
    'checked: Jobs and CronJobs run to completion, init containers cannot have these probes, sidecars (init ' +
    'containers with restartPolicy Always) are not required to, and ephemeral containers cannot.',
  severity: 'low',
  category: 'Hardening',
  remediation:
    'Add the required probes (by default a livenessProbe and a readinessProbe; exec, httpGet, tcpSocket or grpc) ' +
    'to every container.',
  match: {
    kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'],
    podControllers: false,
  },
  params: z.object({
    probes: z
      .array(z.enum(PROBES))
      .min(1)
      .default(['livenessProbe', 'readinessProbe'])
      .describe('The probes the check is about'),
    require: z
      .enum(['all', 'any'])
      .default('all')
      .describe('all: every listed probe must be defined; any: at least one of them'),
  }),
  // The parameters are data, so both forms are in the rule, each gated by `require`.
  rule: (p) =>
    rule([
      ...PROBES.map((probe) =>
        check({
          forEach: bind('c', containers('containers')),
          deny: all(eq(p.require, 'all'), oneOf(probe, p.probes), isUndefined(field('c', probe))),
          message: msg`container "${field('c', 'name')}" must define ${probe}`,
          field: probe,
        }),
      ),
      check({
        forEach: bind('c', containers('containers')),
        deny: all(
          eq(p.require, 'any'),
          not(any(...PROBES.map((probe) => all(oneOf(probe, p.probes), defined(field('c', probe)))))),
        ),
        message: msg`container "${field('c', 'name')}" must define one of ${p.probes}`,
        field: '',
      }),
    ]),
});
