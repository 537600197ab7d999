import {
  all,
  any,
  bind,
  type Check,
  type Cond,
  check,
  coalesce,
  containers,
  defineCataloguePolicy,
  eq,
  field,
  isUndefined,
  matches,
  msg,
  oneOf,
  pod,
  rule,
  type Value,
} from '@palisade/core';
import { z } from 'zod';
import { nsaCisaStandard } from '../shared/hardening.js';

const RESOURCES = ['cpu', 'memory'] as const;
type Resource = (typeof RESOURCES)[number];

/** A zero quantity in any notation (`0`, `0m`, `0.0Gi`, `0e3`, ...): a zero limit means "unlimited" to the runtime. */
const ZERO_QUANTITY = '^[+-]?(?:0+\\.?0*|\\.0+)(?:[eE][+-]?[0-9]+|[numkMGTPE]|[KMGTPE]i)?$';
const isZero = (value: Value): Cond => any(eq(value, 0), matches(value, ZERO_QUANTITY));

/**
 * The value Kubernetes ends up using for a container. A Pod's missing request defaults to its limit (the API
 * server does this before admission, so the manifest and the admitted Pod get the same verdict), and pod-level
 * `spec.resources` (PodLevelResources) covers every container.
 */
const effective = (section: 'requests' | 'limits', resource: Resource): Value =>
  section === 'requests'
    ? coalesce(
        field('c', ['resources', 'requests', resource]),
        field('c', ['resources', 'limits', resource]),
        pod(['spec', 'resources', 'requests', resource]),
        pod(['spec', 'resources', 'limits', resource]),
      )
    : coalesce(field('c', ['resources', 'limits', resource]), pod(['spec', 'resources', 'limits', resource]));

const requirement = (section: 'requests' | 'limits', resource: Resource, required: Value): Check[] => {
  const path = `resources.${section}.${resource}`;
  const value = effective(section, resource);
  const forEach = bind('c', containers('initContainers', 'containers'));
  return [
    check({
      forEach,
      deny: all(oneOf(resource, required), isUndefined(value)),
      message: msg`container "${field('c', 'name')}" must set ${path}`,
      field: path,
    }),
    check({
      forEach,
      deny: all(oneOf(resource, required), isZero(value)),
      message: msg`container "${field('c', 'name')}" must set ${path} to a non-zero quantity`,
      field: path,
    }),
  ];
};

export default defineCataloguePolicy({
  id: 'require-requests-limits',
  title: 'Require Resource Requests and Limits',
  description:
    'Containers and init containers must declare the resource requests and limits chosen by the parameters ' +
    '(by default CPU and memory requests and a memory limit), so the scheduler can place them and a runaway or ' +
    'compromised container cannot starve its node. A request may be omitted when the matching limit is set ' +
    '(Kubernetes defaults the request to it), and pod-level `spec.resources` counts for every container. A zero ' +
    'quantity is refused: a zero limit means no limit. Ephemeral containers cannot set resources and are not checked.',
  severity: 'medium',
  category: 'Resources',
  remediation:
    'Set resources.requests.cpu, resources.requests.memory and resources.limits.memory (or the resources your ' +
    'configuration requires) on every container and init container, to non-zero quantities.',
  standard: nsaCisaStandard('Resource policies'),
  match: { kinds: ['Pod'] },
  params: z.object({
    requests: z
      .array(z.enum(RESOURCES))
      .default(['cpu', 'memory'])
      .describe('Resources every container must request'),
    limits: z.array(z.enum(RESOURCES)).default(['memory']).describe('Resources every container must limit'),
  }),
  rule: (p) =>
    rule([
      ...RESOURCES.flatMap((r) => requirement('requests', r, p.requests)),
      ...RESOURCES.flatMap((r) => requirement('limits', r, p.limits)),
    ]),
});
