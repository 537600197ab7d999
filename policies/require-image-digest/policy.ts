import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  matches,
  msg,
  not,
  rule,
} from '@palisade/core';
import { containerImage, IMAGE_WITH_SHA256_DIGEST, nsaCisaStandard } from '../shared/hardening.js';

const image = containerImage('c');

export default defineCataloguePolicy({
  id: 'require-image-digest',
  title: 'Require Image Digest',
  description:
    'Container images must be pinned by a sha256 digest (`@sha256:` and 64 lower-case hex digits), so the exact ' +
    'image that was reviewed and scanned is the one that runs: tags can be moved to other images. A tag may ' +
    'accompany the digest (`app:1.0@sha256:...`); the runtime pulls by the digest. Other algorithms, upper-case ' +
    'and truncated digests are not accepted.',
  severity: 'medium',
  category: 'Supply Chain',
  remediation:
    'Reference every image by digest, e.g. `registry.example.com/app:1.0@sha256:<digest>` (resolve it with ' +
    '`crane digest` or `docker buildx imagetools inspect`).',
  standard: nsaCisaStandard('Building secure container images'),
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: not(matches(image, IMAGE_WITH_SHA256_DIGEST)),
        message: msg`container "${field('c', 'name')}" image "${image}" must be pinned by a sha256 digest`,
        field: 'image',
      }),
    ]),
});
