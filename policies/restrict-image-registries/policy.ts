import {
  bind,
  check,
  containers,
  defineCataloguePolicy,
  field,
  msg,
  not,
  rule,
  startsWith,
} from '@palisade/core';
import { z } from 'zod';
import { cisStandard, containerImage } from '../shared/hardening.js';

const image = containerImage('c');

export default defineCataloguePolicy({
  id: 'restrict-image-registries',
  title: 'Restrict Image Registries',
  description:
    'Container images must come from registries the organisation trusts: every image must start with one of the ' +
    'configured prefixes. There is no default allow-list; each organisation must choose its own. Prefixes are ' +
    'compared literally with the image as written, so end each one with "/" (`registry.example.com` would also ' +
    'admit `registry.example.com.attacker.io/x`), and write images fully qualified: a short name such as `nginx` ' +
    'is resolved by the runtime (Docker Hub, or a search list) and matches only a prefix that literally matches it.',
  severity: 'high',
  category: 'Supply Chain',
  remediation:
    'Pull images only from an allowed registry (mirror third-party images into it) and write the image ' +
    'reference fully qualified, e.g. `registry.example.com/team/app:1.0`.',
  standard: cisStandard('5.5.1 Configure Image Provenance using ImagePolicyWebhook admission controller'),
  match: { kinds: ['Pod'] },
  params: z.object({
    registries: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Allowed image prefixes, compared literally, e.g. "registry.example.com/" (end each with "/")',
      ),
  }),
  rule: (p) =>
    rule([
      check({
        forEach: bind('c', containers()),
        deny: not(startsWith(image, p.registries)),
        message: msg`container "${field('c', 'name')}" image "${image}" must come from an allowed registry: ${p.registries}`,
        field: 'image',
      }),
    ]),
});
