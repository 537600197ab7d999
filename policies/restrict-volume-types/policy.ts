import {
  all,
  any,
  bind,
  check,
  defineCataloguePolicy,
  defined,
  entries,
  field,
  list,
  msg,
  not,
  oneOf,
  pod,
  rule,
} from '@palisade/core';
import { pssStandard, RESTRICTED_CATEGORY } from '../shared/pss.js';

/** Upstream's allowed inline sources: a volume with any of these passes, whatever else it sets. */
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

/**
 * Every other source of the VolumeSource type (k8s.io/api core/v1 v0.37): the "Restricted Fields" of upstream's
 * check_restrictedVolumes.go. A volume is forbidden only when it sets one of these and none of the allowed ones.
 * A volume that sets neither (no source, or only keys the API does not know) is not forbidden: the apiserver drops
 * unknown keys and defaults a volume without a source to emptyDir before admission runs.
 */
export const RESTRICTED_VOLUME_TYPES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

export default defineCataloguePolicy({
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
              // One violation per restricted source a volume sets (the API allows only one source per volume),
              // so the message names the type, as upstream's does.
              forEach: [bind('v', list(pod('spec.volumes'))), bind('s', entries(field('v', '')))],
              deny: all(
                oneOf(field('s', 'key'), RESTRICTED_VOLUME_TYPES),
                defined(field('s', 'value')),
                not(any(...ALLOWED_VOLUME_TYPES.map((type) => defined(field('v', type))))),
              ),
              message: msg`volume "${field('v', 'name')}" uses restricted volume type ${field('s', 'key')}; allowed types: ${ALLOWED_VOLUME_TYPES.join(', ')}`,
              field: '',
            }),
          ]),
        },
      ],
    },
  ],
});
