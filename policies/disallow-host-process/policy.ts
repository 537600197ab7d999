import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  isTrue,
  msg,
  pod,
  rule,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

export default defineCataloguePolicy({
  id: 'disallow-host-process',
  title: 'Disallow HostProcess',
  description:
    'Windows pods offer the ability to run HostProcess containers, which give privileged access to the Windows node. ' +
    'Privileged access to the host is disallowed in the baseline policy.',
  severity: 'high',
  category: BASELINE_CATEGORY,
  remediation:
    'Remove securityContext.windowsOptions.hostProcess from the pod and its containers, or set it to false.',
  standard: pssStandard('HostProcess'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'windowsHostProcess',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              deny: isTrue(pod('spec.securityContext.windowsOptions.hostProcess')),
              message: msg`pod must not set securityContext.windowsOptions.hostProcess=true`,
              field: 'spec.securityContext.windowsOptions.hostProcess',
            }),
            check({
              forEach: bind('c', containers()),
              deny: isTrue(field('c', 'securityContext.windowsOptions.hostProcess')),
              message: msg`container "${field('c', 'name')}" must not set securityContext.windowsOptions.hostProcess=true`,
              field: 'securityContext.windowsOptions.hostProcess',
            }),
          ]),
        },
      ],
    },
  ],
});
