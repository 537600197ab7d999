import {
  all,
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
import {
  containerImage,
  IMAGE_WITH_DIGEST,
  IMAGE_WITH_LATEST_TAG,
  IMAGE_WITH_TAG,
  nsaCisaStandard,
} from '../shared/hardening.js';

const image = containerImage('c');
/** A digest pins the image whatever the tag says, so `app:latest@sha256:…` is allowed. */
const unpinned = not(matches(image, IMAGE_WITH_DIGEST));

export default defineCataloguePolicy({
  id: 'disallow-latest-tag',
  title: 'Disallow Latest Tag',
  description:
    'Container images must name a tag other than "latest", or be pinned by a digest. An image without a tag ' +
    'resolves to "latest", which moves whenever the publisher pushes, so the code that runs cannot be reviewed or ' +
    'rolled back. A ":" followed by a "/" is a registry port, not a tag (`registry:5000/app` has no tag). A digest ' +
    'pins the image whatever its tag, so `app:latest@sha256:...` is allowed. Tags are compared exactly ' +
    '(`LATEST` is an ordinary tag).',
  severity: 'medium',
  category: 'Supply Chain',
  remediation:
    'Reference every image by an immutable version tag (e.g. `app:1.4.2`) or, better, by digest (`app@sha256:...`).',
  standard: nsaCisaStandard('Building secure container images'),
  match: { kinds: ['Pod'] },
  rule: () =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: all(unpinned, not(matches(image, IMAGE_WITH_TAG))),
        message: msg`container "${field('c', 'name')}" image "${image}" must specify a tag or a digest`,
        field: 'image',
      }),
      check({
        forEach: bind('c', containers()),
        deny: all(unpinned, matches(image, IMAGE_WITH_LATEST_TAG)),
        message: msg`container "${field('c', 'name')}" image "${image}" must not use the latest tag`,
        field: 'image',
      }),
    ]),
});
