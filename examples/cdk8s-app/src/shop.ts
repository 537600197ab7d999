import {
  CronJob,
  DefaultDenyNetworkPolicy,
  Deployment,
  NetworkPolicy,
  PalisadeChart,
  Probe,
  Service,
  ServiceAccount,
  StatefulSet,
} from '@palisade/cdk8s';
import type { Construct } from 'constructs';
import { IMAGES, REGISTRY } from './images.js';

export interface ShopChartProps {
  /** @default 'shop' */
  readonly namespace?: string;
}

/**
 * A small online shop: a web front end, a queue worker, a nightly clean-up job and PostgreSQL, each with its own
 * ServiceAccount, behind a default-deny network policy with explicit allowances.
 */
export class ShopChart extends PalisadeChart {
  readonly web: Deployment;
  readonly worker: Deployment;
  readonly cleanup: CronJob;
  readonly db: StatefulSet;

  constructor(scope: Construct, id: string, props: ShopChartProps = {}) {
    super(scope, id, {
      namespace: props.namespace ?? 'shop',
      // Organisation settings: where images may come from and the sandboxed runtime every pod runs under.
      allowedRegistries: [REGISTRY],
      runtimeClassName: 'gvisor',
      labels: { 'app.kubernetes.io/part-of': 'shop' },
      disableResourceNameHashes: true,
    });

    // Every pod is isolated unless a policy below lets traffic through; DNS is always allowed.
    new DefaultDenyNetworkPolicy(this, 'default-deny', {
      metadata: { name: 'default-deny' },
      allowDnsEgress: true,
    });

    const databaseUrl = {
      valueFrom: { secretKeyRef: { name: 'shop-db-credentials', key: 'url' } },
    } as const;

    // PostgreSQL: the stateful part. Runs as the image's postgres user; only its data and socket dirs are writable.
    this.db = new StatefulSet(this, 'db', {
      metadata: { name: 'db' },
      serviceName: 'db',
      serviceAccount: new ServiceAccount(this, 'db-sa', { metadata: { name: 'db' } }),
      securityContext: { runAsUser: 70, runAsGroup: 70 },
      volumeClaimTemplates: [{ name: 'data', storage: '20Gi' }],
      containers: [
        {
          name: 'postgres',
          image: IMAGES.postgres,
          env: {
            PGDATA: '/var/lib/postgresql/data/pgdata',
            POSTGRES_PASSWORD: {
              valueFrom: { secretKeyRef: { name: 'shop-db-credentials', key: 'password' } },
            },
          },
          ports: [{ name: 'postgres', containerPort: 5432 }],
          resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { memory: '2Gi' } },
          volumeMounts: [{ volume: 'data', mountPath: '/var/lib/postgresql/data' }],
          writablePaths: ['/tmp', '/var/run/postgresql'],
          livenessProbe: Probe.exec(['pg_isready', '-U', 'postgres'], { periodSeconds: 10 }),
          readinessProbe: Probe.exec(['pg_isready', '-U', 'postgres'], { periodSeconds: 5 }),
        },
      ],
    });

    // The headless Service that gives the StatefulSet's replicas stable DNS names (db-0.db.shop.svc).
    new Service(this, 'db-service', {
      metadata: { name: 'db' },
      headless: true,
      selector: this.db,
      ports: [{ name: 'postgres', port: 5432 }],
    });

    // The web front end: three replicas behind a ClusterIP Service, reached through the ingress controller.
    this.web = new Deployment(this, 'web', {
      metadata: { name: 'web' },
      replicas: 3,
      serviceAccount: new ServiceAccount(this, 'web-sa', { metadata: { name: 'web' } }),
      containers: [
        {
          name: 'web',
          image: IMAGES.web,
          ports: [{ name: 'http', containerPort: 8080 }],
          env: { PORT: '8080', DATABASE_URL: databaseUrl },
          resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
          livenessProbe: Probe.http('/healthz', 'http'),
          readinessProbe: Probe.http('/ready', 'http', { periodSeconds: 5 }),
          startupProbe: Probe.http('/healthz', 'http', { failureThreshold: 30, periodSeconds: 2 }),
        },
      ],
    });
    new Service(this, 'web-service', {
      metadata: { name: 'web' },
      selector: this.web,
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    });

    // The queue worker. Its PDF renderer writes caches into its install directory: a reviewed relaxation, which
    // the construct turns into a PolicyException for exactly this Deployment.
    this.worker = new Deployment(this, 'worker', {
      metadata: { name: 'worker' },
      replicas: 2,
      serviceAccount: new ServiceAccount(this, 'worker-sa', { metadata: { name: 'worker' } }),
      containers: [
        {
          name: 'worker',
          image: IMAGES.worker,
          args: ['--queue', 'orders', '--concurrency', '4'],
          env: { DATABASE_URL: databaseUrl },
          ports: [{ name: 'health', containerPort: 8081 }],
          resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } },
          readOnlyRootFilesystem: false,
          livenessProbe: Probe.http('/healthz', 'health'),
          readinessProbe: Probe.http('/ready', 'health'),
        },
      ],
      relax: [
        {
          policy: 'require-ro-rootfs',
          reason:
            'The vendored PDF renderer writes font caches under /opt/renderer; removal tracked in SHOP-412.',
        },
      ],
    });

    // Nightly clean-up of abandoned carts: a batch job, so no probes; it never overlaps itself.
    this.cleanup = new CronJob(this, 'cleanup', {
      metadata: { name: 'cart-cleanup' },
      schedule: '30 3 * * *',
      timeZone: 'Etc/UTC',
      backoffLimit: 2,
      activeDeadlineSeconds: 1800,
      ttlSecondsAfterFinished: 86400,
      serviceAccount: new ServiceAccount(this, 'cleanup-sa', { metadata: { name: 'cart-cleanup' } }),
      containers: [
        {
          name: 'cleanup',
          image: IMAGES.migrate,
          command: ['/app/bin/cleanup-carts'],
          args: ['--older-than', '720h'],
          env: { DATABASE_URL: databaseUrl },
        },
      ],
    });

    // The allowances on top of default-deny.
    new NetworkPolicy(this, 'web-from-ingress', {
      metadata: { name: 'web-from-ingress' },
      pods: this.web,
      policyTypes: ['Ingress'],
      ingress: [
        {
          peers: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
          ports: [{ port: 8080 }],
        },
      ],
    });
    new NetworkPolicy(this, 'db-from-clients', {
      metadata: { name: 'db-from-clients' },
      pods: this.db,
      policyTypes: ['Ingress'],
      ingress: [
        {
          peers: [{ pods: this.web }, { pods: this.worker }, { pods: this.cleanup }],
          ports: [{ port: 5432 }],
        },
      ],
    });
    for (const client of [this.web, this.worker, this.cleanup]) {
      new NetworkPolicy(this, `${client.node.id}-to-db`, {
        metadata: { name: `${client.name}-to-db` },
        pods: client,
        policyTypes: ['Egress'],
        egress: [{ peers: [{ pods: this.db }], ports: [{ port: 5432 }] }],
      });
    }
  }
}
