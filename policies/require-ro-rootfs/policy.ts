import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  isTrue,
  msg,
  not,
  rule,
} from '@palisade/core';
import { nsaCisaStandard } from '../shared/hardening.js';
import { notWindowsPod } from '../shared/pss.js';

export default defineCataloguePolicy({
  id: 'require-ro-rootfs',
  title: 'Require Read-Only Root Filesystem',
  description:
    'Containers and init containers must run with a read-only root filesystem, so an attacker cannot modify ' +
    'binaries or drop tools into the image. Writable paths belong in explicit volumes (emptyDir). Windows pods ' +
    '(spec.os.name: windows) are skipped: Kubernetes forbids the field there. Ephemeral (debug) containers are ' +
    'not checked.',
  severity: 'medium',
  category: 'Hardening',
  remediation:
    'Set securityContext.readOnlyRootFilesystem: true on every container and init container, and mount an ' +
    'emptyDir volume at each path the application must write to (e.g. /tmp).',
  standard: nsaCisaStandard('Immutable container file systems'),
  match: { kinds: ['Pod'] },
  rule: () =>
    rule(
      [
        check({
          forEach: bind('c', containers('initContainers', 'containers')),
          deny: not(isTrue(field('c', 'securityContext.readOnlyRootFilesystem'))),
          message: msg`container "${field('c', 'name')}" must set securityContext.readOnlyRootFilesystem=true`,
          field: 'securityContext.readOnlyRootFilesystem',
        }),
      ],
      notWindowsPod,
    ),
});
