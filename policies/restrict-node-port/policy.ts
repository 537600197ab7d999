import { check, defineCataloguePolicy, eq, object, rule } from '@palisade/core';
import { nsaCisaStandard } from '../shared/hardening.js';

export default defineCataloguePolicy({
  id: 'restrict-node-port',
  title: 'Restrict NodePort Services',
  description:
    'Services must not be of type NodePort: a NodePort opens the same port on every node, bypassing the ' +
    'ingress and load-balancer layers where access control, TLS and logging normally sit, and is easy to miss in ' +
    'firewall rules. LoadBalancer Services, which also allocate node ports unless ' +
    'spec.allocateLoadBalancerNodePorts is false, are not restricted by this policy.',
  severity: 'medium',
  category: 'Networking',
  remediation:
    'Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service, instead of NodePort.',
  standard: nsaCisaStandard('Network separation and hardening'),
  match: { kinds: ['Service'] },
  rule: () =>
    rule([
      check({
        deny: eq(object('spec.type'), 'NodePort'),
        message: ['Service must not set spec.type=NodePort'],
        field: 'spec.type',
      }),
    ]),
});
