import {
  all,
  check,
  defineCataloguePolicy,
  defined,
  isUndefined,
  msg,
  not,
  oneOf,
  pod,
  rule,
} from '@palisade/core';
import { z } from 'zod';
import { nsaCisaStandard } from '../shared/hardening.js';

const runtimeClass = pod('spec.runtimeClassName');

export default defineCataloguePolicy({
  id: 'require-runtime-class',
  title: 'Require Sandboxed Runtime Class',
  description:
    'Pods must run under one of the configured RuntimeClasses, typically a sandboxed runtime such as gVisor or ' +
    'Kata Containers, which puts a kernel boundary between the workload and the node. There is no default: the ' +
    'allowed RuntimeClass names depend on what the cluster installs. Names are compared exactly.',
  severity: 'medium',
  category: 'Hardening',
  remediation: 'Set spec.runtimeClassName to one of the allowed RuntimeClasses.',
  standard: nsaCisaStandard('Hardening container environments'),
  match: { kinds: ['Pod'] },
  params: z.object({
    runtimeClasses: z
      .array(z.string().min(1))
      .min(1)
      .describe('RuntimeClass names pods may use, e.g. "gvisor"'),
  }),
  rule: (p) =>
    rule([
      check({
        deny: isUndefined(runtimeClass),
        message: msg`pod must set spec.runtimeClassName to one of: ${p.runtimeClasses}`,
        field: 'spec.runtimeClassName',
      }),
      check({
        deny: all(defined(runtimeClass), not(oneOf(runtimeClass, p.runtimeClasses))),
        message: msg`pod must not set spec.runtimeClassName to "${runtimeClass}" (allowed: ${p.runtimeClasses})`,
        field: 'spec.runtimeClassName',
      }),
    ]),
});
