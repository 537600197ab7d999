import { bind, check, containers, definePolicy, field, isUndefined, msg, rule } from '@palisade/core';

const PROBES = ['livenessProbe', 'readinessProbe'] as const;

export default definePolicy({
  id: 'require-probes',
  title: 'Require Liveness and Readiness Probes',
  description:
    'Long-running containers must define a liveness probe (so a hung process is restarted) and a readiness ' +
    'probe (so traffic only reaches instances that can serve it). Only regular containers of long-running ' +
    'workloads are checked: Jobs and CronJobs run to completion, init containers cannot have these probes, ' +
    'sidecars (init containers with restartPolicy Always) are not required to, and ephemeral containers cannot.',
  severity: 'low',
  category: 'Hardening',
  remediation:
    'Add a livenessProbe and a readinessProbe (exec, httpGet, tcpSocket or grpc) to every container.',
  match: {
    kinds: ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController'],
    podControllers: false,
  },
  rule: () =>
    rule(
      PROBES.map((probe) =>
        check({
          forEach: bind('c', containers('containers')),
          deny: isUndefined(field('c', probe)),
          message: msg`container "${field('c', 'name')}" must define ${probe}`,
          field: probe,
        }),
      ),
    ),
});
