import type { Construct } from 'constructs';
import type { ServiceAccountPolicyId } from './policies.js';
import { PalisadeResource, type ResourceProps } from './resource.js';

export interface ServiceAccountProps extends ResourceProps<ServiceAccountPolicyId> {
  /**
   * `automountServiceAccountToken`. Pods built by Palisade constructs opt out themselves; the ServiceAccount opts
   * out too, so pods created by other tools with it do not get a token either. `true` breaks
   * `disallow-service-account-token-automount`.
   *
   * @default false
   */
  readonly automountServiceAccountToken?: boolean;
  /** Secrets used to pull images for pods that use this ServiceAccount. @default - none */
  readonly imagePullSecrets?: readonly string[];
}

const RELAXABLE: readonly ServiceAccountPolicyId[] = [
  'disallow-service-account-token-automount',
  'disallow-default-namespace',
];

/**
 * A `v1` ServiceAccount that mounts no API token by default. Give each workload its own, so RBAC can grant it
 * exactly what it needs (and nothing, usually).
 */
export class ServiceAccount extends PalisadeResource {
  constructor(scope: Construct, id: string, props: ServiceAccountProps = {}) {
    super(scope, id, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: props.metadata,
      namespace: props.namespace,
      bodyFields: ['automountServiceAccountToken', 'imagePullSecrets'],
    });
    this.setBody({
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
      imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
    });
    this.enforce(props.relax ?? [], RELAXABLE, undefined);
  }
}
