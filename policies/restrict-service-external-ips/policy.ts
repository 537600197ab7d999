import {
  bind,
  check,
  defineCataloguePolicy,
  field,
  list,
  msg,
  not,
  object,
  oneOf,
  rule,
} from '@palisade/core';
import { z } from 'zod';
import { nsaCisaStandard } from '../shared/hardening.js';

export default defineCataloguePolicy({
  id: 'restrict-service-external-ips',
  title: 'Restrict Service External IPs',
  description:
    'Services may only use the external IPs the cluster administrator allows (none by default). Anyone who can ' +
    'create a Service can otherwise claim any IP in spec.externalIPs and intercept traffic that pods and nodes ' +
    'send to it (CVE-2020-8554). IPs are compared as written: list each allowed IP in the form manifests use ' +
    '(an IPv6 address written differently, or a CIDR, does not match).',
  severity: 'high',
  category: 'Networking',
  remediation: 'Remove spec.externalIPs, or use only addresses the cluster administrator has allowed.',
  standard: nsaCisaStandard('Network separation and hardening'),
  match: { kinds: ['Service'] },
  params: z.object({
    allowedIPs: z.array(z.string()).default([]).describe('External IPs Services may use, exactly as written'),
  }),
  rule: (p) =>
    rule([
      check({
        forEach: bind('ip', list(object('spec.externalIPs'))),
        deny: not(oneOf(field('ip', ''), p.allowedIPs)),
        message: msg`Service must not use external IP "${field('ip', '')}" in spec.externalIPs`,
        field: '',
      }),
    ]),
});
