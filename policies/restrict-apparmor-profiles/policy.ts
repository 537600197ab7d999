import {
  all,
  any,
  bind,
  check,
  containers,
  defineCataloguePolicy,
  defined,
  entries,
  eq,
  field,
  isUndefined,
  msg,
  not,
  oneOf,
  pod,
  rule,
  startsWith,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

const ALLOWED_TYPES = ['RuntimeDefault', 'Localhost'];
const ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export default defineCataloguePolicy({
  id: 'restrict-apparmor-profiles',
  title: 'Restrict AppArmor Profiles',
  description:
    'Overriding or disabling the default AppArmor profile is restricted: only RuntimeDefault and Localhost ' +
    'profiles (runtime/default and localhost/* in the deprecated annotations) are allowed.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation:
    'Set appArmorProfile.type to RuntimeDefault or Localhost, or remove it (and unconfined annotations).',
  standard: pssStandard('AppArmor'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'appArmorProfile',
      revisions: [
        {
          since: '1.0',
          rule: rule([
            check({
              deny: all(
                defined(pod('spec.securityContext.appArmorProfile')),
                not(oneOf(pod('spec.securityContext.appArmorProfile.type'), ALLOWED_TYPES)),
              ),
              message: msg`pod must not set securityContext.appArmorProfile.type to ${pod('spec.securityContext.appArmorProfile.type')}`,
              field: 'spec.securityContext.appArmorProfile.type',
            }),
            check({
              forEach: bind('c', containers()),
              deny: all(
                defined(field('c', 'securityContext.appArmorProfile')),
                not(oneOf(field('c', 'securityContext.appArmorProfile.type'), ALLOWED_TYPES)),
              ),
              message: msg`container "${field('c', 'name')}" must not set securityContext.appArmorProfile.type to ${field('c', 'securityContext.appArmorProfile.type')}`,
              field: 'securityContext.appArmorProfile.type',
            }),
            check({
              forEach: bind('a', entries(pod('metadata.annotations'))),
              deny: all(
                startsWith(field('a', 'key'), ANNOTATION_PREFIX),
                not(
                  any(
                    isUndefined(field('a', 'value')),
                    eq(field('a', 'value'), ''),
                    eq(field('a', 'value'), 'runtime/default'),
                    startsWith(field('a', 'value'), 'localhost/'),
                  ),
                ),
              ),
              message: msg`annotation "${field('a', 'key')}" must not set AppArmor profile ${field('a', 'value')}`,
              field: '',
            }),
          ]),
        },
      ],
    },
  ],
});
