import type { Construct } from 'constructs';
import type { NetworkPolicyPolicyId } from './policies.js';
import { PalisadeResource, type ResourceProps } from './resource.js';
import type { Selectable } from './service.js';

/** A label selector: Kubernetes' own shape. */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    readonly values?: readonly string[];
  }[];
}

/** Who may talk to (or be talked to by) the selected pods. */
export interface NetworkPolicyPeer {
  /** Pods, by a Palisade workload or a selector; in the policy's namespace unless `namespaceSelector` is set. */
  readonly pods?: Selectable | LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface NetworkPolicyPort {
  readonly port?: number | string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  readonly endPort?: number;
}

export interface NetworkPolicyRule {
  /** @default - any peer */
  readonly peers?: readonly NetworkPolicyPeer[];
  /** @default - any port */
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface NetworkPolicyProps extends ResourceProps<NetworkPolicyPolicyId> {
  /** The pods the policy isolates. @default - every pod in the namespace */
  readonly pods?: Selectable | LabelSelector;
  /** Directions the policy isolates; a direction listed with no rules denies all traffic that way. */
  readonly policyTypes: readonly ('Ingress' | 'Egress')[];
  /** @default - no ingress allowed */
  readonly ingress?: readonly NetworkPolicyRule[];
  /** @default - no egress allowed */
  readonly egress?: readonly NetworkPolicyRule[];
}

const RELAXABLE: readonly NetworkPolicyPolicyId[] = ['disallow-default-namespace'];

function selector(pods: Selectable | LabelSelector | undefined): Record<string, unknown> {
  if (pods === undefined) return {};
  if ('selectorLabels' in pods) return { matchLabels: { ...pods.selectorLabels } };
  return {
    ...(pods.matchLabels ? { matchLabels: { ...pods.matchLabels } } : {}),
    ...(pods.matchExpressions ? { matchExpressions: pods.matchExpressions.map((e) => ({ ...e })) } : {}),
  };
}

function peer(p: NetworkPolicyPeer): Record<string, unknown> {
  return {
    ...(p.pods ? { podSelector: selector(p.pods) } : {}),
    ...(p.namespaceSelector ? { namespaceSelector: selector(p.namespaceSelector) } : {}),
    ...(p.ipBlock
      ? { ipBlock: { cidr: p.ipBlock.cidr, ...(p.ipBlock.except ? { except: [...p.ipBlock.except] } : {}) } }
      : {}),
  };
}

function rule(r: NetworkPolicyRule, direction: 'from' | 'to'): Record<string, unknown> {
  return {
    ...(r.peers ? { [direction]: r.peers.map(peer) } : {}),
    ...(r.ports
      ? {
          ports: r.ports.map((p) => ({
            protocol: p.protocol ?? 'TCP',
            ...(p.port === undefined ? {} : { port: p.port }),
            ...(p.endPort === undefined ? {} : { endPort: p.endPort }),
          })),
        }
      : {}),
  };
}

/** A `networking.k8s.io/v1` NetworkPolicy. */
export class NetworkPolicy extends PalisadeResource {
  constructor(scope: Construct, id: string, props: NetworkPolicyProps) {
    super(scope, id, {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: props.metadata,
      namespace: props.namespace,
      bodyFields: ['spec'],
    });
    this.setBody({
      spec: {
        podSelector: selector(props.pods),
        policyTypes: [...new Set(props.policyTypes)],
        ...(props.ingress ? { ingress: props.ingress.map((r) => rule(r, 'from')) } : {}),
        ...(props.egress ? { egress: props.egress.map((r) => rule(r, 'to')) } : {}),
      },
    });
    this.enforce(props.relax ?? [], RELAXABLE, undefined);
  }
}

export interface DefaultDenyNetworkPolicyProps extends ResourceProps<NetworkPolicyPolicyId> {
  /**
   * Directions denied to every pod of the namespace.
   *
   * @default ['Ingress', 'Egress']
   */
  readonly policyTypes?: readonly ('Ingress' | 'Egress')[];
  /**
   * Also emit a second NetworkPolicy that lets every pod resolve names through the cluster DNS (UDP and TCP 53 to
   * `k8s-app: kube-dns` in kube-system). Without it, a default-deny egress breaks name resolution.
   *
   * @default false
   */
  readonly allowDnsEgress?: boolean;
}

/**
 * Denies all ingress and egress to every pod of the namespace, so traffic flows only where another NetworkPolicy
 * allows it (NSA/CISA: network separation). Put one in every namespace.
 */
export class DefaultDenyNetworkPolicy extends NetworkPolicy {
  /** The DNS allowance, when `allowDnsEgress` is set. */
  readonly allowDns: NetworkPolicy | undefined;

  constructor(scope: Construct, id: string, props: DefaultDenyNetworkPolicyProps = {}) {
    super(scope, id, {
      ...props,
      policyTypes: props.policyTypes ?? ['Ingress', 'Egress'],
    });
    this.allowDns = props.allowDnsEgress
      ? new NetworkPolicy(this, 'AllowDns', {
          ...(props.namespace === undefined ? {} : { namespace: props.namespace }),
          metadata: { name: `${this.name}-allow-dns` },
          ...(props.relax === undefined ? {} : { relax: props.relax }),
          policyTypes: ['Egress'],
          egress: [
            {
              peers: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
                  pods: { matchLabels: { 'k8s-app': 'kube-dns' } },
                },
              ],
              ports: [
                { port: 53, protocol: 'UDP' },
                { port: 53, protocol: 'TCP' },
              ],
            },
          ],
        })
      : undefined;
  }
}
