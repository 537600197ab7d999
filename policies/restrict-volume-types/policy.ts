import { any, bind, check, defined, definePolicy, field, list, msg, not, pod, rule } from '@palisade/core';
import { pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

/** Upstream's allow-list: a volume with any of these sources passes, whatever else it sets. */
export const ALLOWED_VOLUME_TYPES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
];

export default definePolicy({
  id: 'restrict-volume-types',
  title: 'Restrict Volume Types',
  description: `Inline pod volumes are limited to ${ALLOWED_VOLUME_TYPES.join(', ')}.`,
  severity: 'medium',
  category: RESTRICTED_CATEGORY,
  remediation:
    'Use a persistentVolumeClaim (or one of the allowed inline types) instead of the inline volume source.',
  standard: pssStandard('Volume Types'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'restricted',
      check: 'restrictedVolumes',
      revisions: [
        {
          since: '1.0',
          overrides: ['disallow-host-path'],
          rule: rule([
            check({
              forEach: bind('v', list(pod('spec.volumes'))),
              deny: not(any(...ALLOWED_VOLUME_TYPES.map((type) => defined(field('v', type))))),
              message: msg`volume "${field('v', 'name')}" must use one of the allowed volume types: ${ALLOWED_VOLUME_TYPES.join(', ')}`,
              field: '',
            }),
          ]),
        },
      ],
    },
  ],
});
