import { all, check, defineCataloguePolicy, eq, not, object, pod, rule } from '@palisade/core';
import { cisStandard } from '../shared/hardening.js';

const isServiceAccount = eq(object('kind'), 'ServiceAccount');

export default defineCataloguePolicy({
  id: 'disallow-service-account-token-automount',
  title: 'Disallow Service Account Token Automount',
  description:
    'Pods and ServiceAccounts must opt out of mounting a Kubernetes API token automatically: anyone who takes ' +
    'over a container can read the token and act with its permissions. A Pod (or pod template) must set ' +
    'spec.automountServiceAccountToken: false itself, since its verdict cannot depend on a ServiceAccount it does ' +
    'not see; a ServiceAccount must set automountServiceAccountToken: false. Workloads that do call the API need ' +
    'an exception (or a projected serviceAccountToken volume, which this policy does not restrict). In enforce ' +
    'mode the ServiceAccount check also rejects the `default` ServiceAccount that Kubernetes creates in every new ' +
    'namespace; audit it, or exclude ServiceAccounts with an exception, until those are patched.',
  severity: 'medium',
  category: 'Hardening',
  remediation:
    'Set spec.automountServiceAccountToken: false in every Pod and pod template, and automountServiceAccountToken: ' +
    'false on every ServiceAccount (including each namespace\'s "default").',
  standard: cisStandard('5.1.6 Ensure that Service Account Tokens are only mounted where necessary'),
  match: { kinds: ['Pod', 'ServiceAccount'] },
  rule: () =>
    rule([
      check({
        deny: all(not(isServiceAccount), not(eq(pod('spec.automountServiceAccountToken'), false))),
        message: ['pod must set spec.automountServiceAccountToken=false'],
        field: 'spec.automountServiceAccountToken',
      }),
      check({
        deny: all(isServiceAccount, not(eq(object('automountServiceAccountToken'), false))),
        message: ['ServiceAccount must set automountServiceAccountToken=false'],
        field: 'automountServiceAccountToken',
      }),
    ]),
});
