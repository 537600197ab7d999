import { bind, check, defineCataloguePolicy, defined, field, list, msg, pod, rule } from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

export default defineCataloguePolicy({
  id: 'disallow-host-path',
  title: 'Disallow hostPath Volumes',
  description: 'hostPath volumes give access to the node filesystem and must be forbidden.',
  severity: 'high',
  category: BASELINE_CATEGORY,
  remediation:
    'Replace hostPath volumes with emptyDir, configMap, secret, persistentVolumeClaim or CSI volumes.',
  standard: pssStandard('HostPath Volumes'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'hostPathVolumes',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              forEach: bind('v', list(pod('spec.volumes'))),
              deny: defined(field('v', 'hostPath')),
              message: msg`volume "${field('v', 'name')}" must not use hostPath`,
              field: 'hostPath',
            }),
          ]),
        },
      ],
    },
  ],
});
