import {
  CronJob,
  DaemonSet,
  DefaultDenyNetworkPolicy,
  Deployment,
  Job,
  NetworkPolicy,
  PalisadeChart,
  Pod,
  Probe,
  Service,
  ServiceAccount,
  StatefulSet,
} from '@palisade/cdk8s';
import { Testing } from 'cdk8s';
import { IMAGES, REGISTRY } from '../images.js';

/** Every construct once, with nothing but what its type requires: what the defaults alone produce. */
export function everyConstructWithDefaults(): PalisadeChart {
  const chart = new PalisadeChart(Testing.app(), 'all', {
    namespace: 'team',
    allowedRegistries: [REGISTRY],
    runtimeClassName: 'gvisor',
  });
  const container = {
    image: IMAGES.web,
    ports: [{ name: 'http', containerPort: 8080 }],
    livenessProbe: Probe.http('/healthz', 'http'),
    readinessProbe: Probe.http('/ready', 'http'),
  };
  const web = new Deployment(chart, 'web', { containers: [container] });
  new StatefulSet(chart, 'db', { serviceName: 'db', containers: [container] });
  new DaemonSet(chart, 'agent', { containers: [container] });
  new Pod(chart, 'debug', { containers: [container] });
  new Job(chart, 'migrate', { containers: [{ image: IMAGES.migrate }] });
  new CronJob(chart, 'report', { schedule: '@daily', containers: [{ image: IMAGES.migrate }] });
  new ServiceAccount(chart, 'sa');
  new Service(chart, 'svc', { selector: web, ports: [{ port: 80, targetPort: 'http' }] });
  new DefaultDenyNetworkPolicy(chart, 'deny', { allowDnsEgress: true });
  new NetworkPolicy(chart, 'allow', {
    pods: web,
    policyTypes: ['Ingress'],
    ingress: [{ ports: [{ port: 8080 }] }],
  });
  return chart;
}
