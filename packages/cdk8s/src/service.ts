import type { Construct } from 'constructs';
import type { ServicePolicyId } from './policies.js';
import { PalisadeConfigError } from './relax.js';
import { PalisadeResource, type ResourceProps } from './resource.js';

export interface ServicePort {
  readonly port: number;
  /** @default - the same as `port` */
  readonly targetPort?: number | string;
  readonly name?: string;
  /** @default 'TCP' */
  readonly protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** Only for `type: 'NodePort'` or `'LoadBalancer'`. @default - allocated by Kubernetes */
  readonly nodePort?: number;
}

/** Something whose pods a Service or NetworkPolicy can select, such as a Palisade workload. */
export interface Selectable {
  readonly selectorLabels: Readonly<Record<string, string>>;
}

export interface ServiceProps extends ResourceProps<ServicePolicyId> {
  /** The pods behind the Service: a Palisade workload, or labels. */
  readonly selector: Selectable | Readonly<Record<string, string>>;
  readonly ports: readonly [ServicePort, ...ServicePort[]];
  /**
   * `NodePort` opens the port on every node and breaks `restrict-node-port`: put an Ingress or Gateway in front
   * of a ClusterIP Service instead.
   *
   * @default 'ClusterIP'
   */
  readonly type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /**
   * A headless Service (`clusterIP: None`), as a StatefulSet's `serviceName` needs.
   *
   * @default false
   */
  readonly headless?: boolean;
  /**
   * Breaks `restrict-service-external-ips` (which allows none by default): anyone who can create a Service could
   * otherwise intercept traffic to any IP (CVE-2020-8554).
   *
   * @default - none
   */
  readonly externalIPs?: readonly string[];
}

const RELAXABLE: readonly ServicePolicyId[] = [
  'restrict-node-port',
  'restrict-service-external-ips',
  'disallow-default-namespace',
];

function selectorOf(selector: ServiceProps['selector']): Record<string, string> {
  const labels =
    'selectorLabels' in selector && typeof selector.selectorLabels === 'object'
      ? selector.selectorLabels
      : selector;
  return { ...(labels as Readonly<Record<string, string>>) };
}

/** A `v1` Service, ClusterIP by default. */
export class Service extends PalisadeResource {
  constructor(scope: Construct, id: string, props: ServiceProps) {
    super(scope, id, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: props.metadata,
      namespace: props.namespace,
      bodyFields: ['spec'],
    });
    const selector = selectorOf(props.selector);
    if (Object.keys(selector).length === 0) {
      throw new PalisadeConfigError(
        `${this.where}: the selector is empty; it would select every pod in the namespace`,
      );
    }
    if (props.headless && (props.type ?? 'ClusterIP') !== 'ClusterIP') {
      throw new PalisadeConfigError(`${this.where}: a headless Service must be of type ClusterIP`);
    }
    const ports = props.ports.map((p) => ({
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      protocol: p.protocol ?? 'TCP',
      ...(p.name === undefined ? {} : { name: p.name }),
      ...(p.nodePort === undefined ? {} : { nodePort: p.nodePort }),
    }));
    this.setBody({
      spec: {
        type: props.type ?? 'ClusterIP',
        ...(props.headless ? { clusterIP: 'None' } : {}),
        selector,
        ports,
        ...(props.externalIPs ? { externalIPs: [...props.externalIPs] } : {}),
      },
    });
    this.enforce(props.relax ?? [], RELAXABLE, undefined);
  }
}
