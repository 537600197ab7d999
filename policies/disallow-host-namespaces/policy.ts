import { check, defineCataloguePolicy, isTrue, pod, rule } from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

const namespaces = ['hostNetwork', 'hostPID', 'hostIPC'] as const;

export default defineCataloguePolicy({
  id: 'disallow-host-namespaces',
  title: 'Disallow Host Namespaces',
  description: 'Sharing the host network, PID and IPC namespaces must be disallowed.',
  severity: 'high',
  category: BASELINE_CATEGORY,
  remediation: 'Remove spec.hostNetwork, spec.hostPID and spec.hostIPC, or set them to false.',
  standard: pssStandard('Host Namespaces'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'hostNamespaces',
      revisions: [
        {
          since: '1.0',
          rule: rule(
            namespaces.map((name) =>
              check({
                deny: isTrue(pod(`spec.${name}`)),
                message: [`pod must not set spec.${name}=true`],
                field: `spec.${name}`,
              }),
            ),
          ),
        },
      ],
    },
  ],
});
