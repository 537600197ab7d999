import { any, check, defineCataloguePolicy, eq, isUndefined, object, rule } from '@palisade/core';
import { cisStandard } from '../shared/hardening.js';

/** The resource's own namespace (for a controller, not its pod template's). */
const namespace = object('metadata.namespace');

export default defineCataloguePolicy({
  id: 'disallow-default-namespace',
  title: 'Disallow the Default Namespace',
  description:
    'Workloads and their supporting resources must live in a dedicated namespace, not in "default", where RBAC, ' +
    'NetworkPolicies, quotas and Pod Security levels are rarely tailored. A manifest without metadata.namespace ' +
    '(or with an empty one) is created in the client\'s current namespace, "default" unless configured ' +
    'otherwise, so it is denied too; at admission a namespaced resource always carries its namespace.',
  severity: 'low',
  category: 'Hardening',
  remediation: 'Set metadata.namespace to a dedicated namespace (e.g. the team or application namespace).',
  standard: cisStandard('5.7.4 The default namespace should not be used'),
  match: {
    kinds: [
      'Pod',
      'Service',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'Ingress',
      'NetworkPolicy',
      'PersistentVolumeClaim',
    ],
  },
  rule: () =>
    rule([
      check({
        deny: any(isUndefined(namespace), eq(namespace, '')),
        message: ['resource must set metadata.namespace to a namespace other than "default"'],
        field: 'metadata.namespace',
        fieldFrom: 'object',
      }),
      check({
        deny: eq(namespace, 'default'),
        message: ['resource must not be in the "default" namespace'],
        field: 'metadata.namespace',
        fieldFrom: 'object',
      }),
    ]),
});
