import {
  bind,
  type Check,
  check,
  containers,
  defineCataloguePolicy,
  field,
  msg,
  ne,
  rule,
} from '@palisade/core';
import { BASELINE_CATEGORY, pssStandard } from '../shared/pss.js';

/** Every probe and lifecycle handler field whose `host` upstream restricts. */
const HOST_FIELDS = [
  'livenessProbe',
  'readinessProbe',
  'startupProbe',
  'lifecycle.postStart',
  'lifecycle.preStop',
].flatMap((handler) => ['httpGet', 'tcpSocket'].map((action) => `${handler}.${action}.host`));

const hostChecks: Check[] = HOST_FIELDS.map((path) =>
  check({
    forEach: bind('c', containers()),
    deny: ne(field('c', path, ''), ''),
    message: msg`container "${field('c', 'name')}" must not set ${path} (${field('c', path)})`,
    field: path,
  }),
);

export default defineCataloguePolicy({
  id: 'disallow-host-probes',
  title: 'Disallow Probe and Lifecycle Hosts',
  description:
    'The host field of probes and lifecycle handlers lets a pod make the kubelet connect to arbitrary hosts; ' +
    'it must be unset or empty.',
  severity: 'medium',
  category: BASELINE_CATEGORY,
  remediation:
    'Remove host from httpGet and tcpSocket probes and lifecycle handlers; they target the pod IP.',
  standard: pssStandard('Probes / Lifecycle Hooks'),
  match: { kinds: ['Pod'] },
  pss: [
    {
      level: 'baseline',
      check: 'hostProbesAndHostLifecycle',
      revisions: [{ since: '1.34', rule: rule(hostChecks) }],
    },
  ],
});
