import type { Construct } from 'constructs';
import {
  type BatchContainer,
  buildPodTemplate,
  type Named,
  type PodOptions,
  type Quantity,
  type ServiceContainer,
  toDnsLabel,
} from './pod.js';
import { type BatchPolicyId, HARDENING_POLICY_IDS, type PodPolicyId, PSS_POLICY_IDS } from './policies.js';
import { PalisadeConfigError } from './relax.js';
import { PalisadeResource, type ResourceProps } from './resource.js';
import { palisadeSettingsOf, type ResolvedSettings } from './settings.js';

/** The label every workload puts on its pods and selects them by. */
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

const POD_HARDENING: readonly PodPolicyId[] = HARDENING_POLICY_IDS.filter(
  (id): id is Extract<(typeof HARDENING_POLICY_IDS)[number], PodPolicyId> =>
    id !== 'restrict-node-port' && id !== 'restrict-service-external-ips',
);
/** Every policy a pod template can break. */
export const POD_POLICY_IDS: readonly PodPolicyId[] = [...PSS_POLICY_IDS, ...POD_HARDENING];
/** Every policy a Job or CronJob can break (`require-probes` does not apply to them). */
export const BATCH_POLICY_IDS: readonly BatchPolicyId[] = POD_POLICY_IDS.filter(
  (id): id is BatchPolicyId => id !== 'require-probes',
);

/** Options of every workload: its pod template and the relaxations it may carry. */
export type WorkloadProps<C extends ServiceContainer | BatchContainer, P extends string> = ResourceProps<P> &
  PodOptions<C>;

function positiveInt(value: number | undefined, what: string, where: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) {
    throw new PalisadeConfigError(`${where}: ${what} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function definedOnly(object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** A Pod or Pod controller whose pod template is secure by default. */
export abstract class PalisadeWorkload extends PalisadeResource {
  /** The organisation settings the workload was built with. */
  readonly settings: ResolvedSettings;

  protected constructor(
    scope: Construct,
    id: string,
    apiVersion: string,
    kind: string,
    props: ResourceProps<string>,
  ) {
    super(scope, id, {
      apiVersion,
      kind,
      metadata: props.metadata,
      namespace: props.namespace,
      bodyFields: ['spec'],
    });
    this.settings = palisadeSettingsOf(this);
  }

  /** Labels that select this workload's pods (for Services and NetworkPolicies). */
  get selectorLabels(): Record<string, string> {
    return { [INSTANCE_LABEL]: toDnsLabel(this.name) };
  }

  protected podTemplate<C extends ServiceContainer | BatchContainer>(
    options: PodOptions<C>,
    extra: { restartPolicy?: 'Always' | 'OnFailure' | 'Never'; extraVolumeNames?: readonly string[] } = {},
  ) {
    return buildPodTemplate(options, {
      settings: this.settings,
      where: this.where,
      selectorLabels: this.selectorLabels,
      ...extra,
    });
  }

  protected finish(
    spec: Record<string, unknown>,
    relax: readonly { policy: string; reason: string; expires?: string }[] | undefined,
    relaxable: readonly string[],
  ): void {
    this.setBody({ spec: definedOnly(spec) });
    this.enforce(relax ?? [], relaxable, this.settings);
  }
}

export interface DeploymentProps extends WorkloadProps<ServiceContainer, PodPolicyId> {
  /**
   * Two, so a node drain or a rollout never takes the service down.
   *
   * @default 2
   */
  readonly replicas?: number;
  /** @default - RollingUpdate with the Kubernetes defaults (25% surge and unavailable) */
  readonly strategy?:
    | { readonly type: 'Recreate' }
    | {
        readonly type: 'RollingUpdate';
        readonly maxSurge?: number | string;
        readonly maxUnavailable?: number | string;
      };
  readonly minReadySeconds?: number;
  readonly revisionHistoryLimit?: number;
  readonly progressDeadlineSeconds?: number;
}

/** An `apps/v1` Deployment: long-running, so its containers need liveness and readiness probes. */
export class Deployment extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: DeploymentProps) {
    super(scope, id, 'apps/v1', 'Deployment', props);
    const template = this.podTemplate(props);
    const strategy = props.strategy
      ? props.strategy.type === 'Recreate'
        ? { type: 'Recreate' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: definedOnly({
              maxSurge: props.strategy.maxSurge,
              maxUnavailable: props.strategy.maxUnavailable,
            }),
          }
      : undefined;
    this.finish(
      {
        replicas: positiveInt(props.replicas ?? 2, 'replicas', this.where),
        selector: { matchLabels: this.selectorLabels },
        strategy,
        minReadySeconds: positiveInt(props.minReadySeconds, 'minReadySeconds', this.where),
        revisionHistoryLimit: positiveInt(props.revisionHistoryLimit, 'revisionHistoryLimit', this.where),
        progressDeadlineSeconds: positiveInt(
          props.progressDeadlineSeconds,
          'progressDeadlineSeconds',
          this.where,
          1,
        ),
        template,
      },
      props.relax,
      POD_POLICY_IDS,
    );
  }
}

/** A PersistentVolumeClaim each StatefulSet replica gets, mounted by `volumeMounts` under its name. */
export interface VolumeClaimTemplate {
  readonly name: string;
  readonly storage: Quantity;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default ['ReadWriteOnce'] */
  readonly accessModes?: readonly ('ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod')[];
}

export interface StatefulSetProps extends WorkloadProps<ServiceContainer, PodPolicyId> {
  /** The headless Service that gives the replicas stable DNS names (a Palisade `Service` or its name). */
  readonly serviceName: Named | string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - none */
  readonly volumeClaimTemplates?: readonly VolumeClaimTemplate[];
  /** @default 'OrderedReady' */
  readonly podManagementPolicy?: 'OrderedReady' | 'Parallel';
  /** @default - RollingUpdate */
  readonly updateStrategy?:
    | {
        readonly type: 'RollingUpdate';
        readonly partition?: number;
        readonly maxUnavailable?: number | string;
      }
    | { readonly type: 'OnDelete' };
  /** @default - Retain when deleted and when scaled (the Kubernetes default: data is never deleted implicitly) */
  readonly persistentVolumeClaimRetentionPolicy?: {
    readonly whenDeleted?: 'Retain' | 'Delete';
    readonly whenScaled?: 'Retain' | 'Delete';
  };
  readonly minReadySeconds?: number;
}

/** An `apps/v1` StatefulSet: long-running, so its containers need liveness and readiness probes. */
export class StatefulSet extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: StatefulSetProps) {
    super(scope, id, 'apps/v1', 'StatefulSet', props);
    const claims = (props.volumeClaimTemplates ?? []).map((claim) => ({
      metadata: { name: claim.name },
      spec: {
        accessModes: [...(claim.accessModes ?? ['ReadWriteOnce'])],
        resources: { requests: { storage: claim.storage } },
        ...(claim.storageClassName === undefined ? {} : { storageClassName: claim.storageClassName }),
      },
    }));
    const template = this.podTemplate(props, { extraVolumeNames: claims.map((c) => c.metadata.name) });
    const updateStrategy = props.updateStrategy
      ? props.updateStrategy.type === 'OnDelete'
        ? { type: 'OnDelete' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: definedOnly({
              partition: props.updateStrategy.partition,
              maxUnavailable: props.updateStrategy.maxUnavailable,
            }),
          }
      : undefined;
    this.finish(
      {
        serviceName: typeof props.serviceName === 'string' ? props.serviceName : props.serviceName.name,
        replicas: positiveInt(props.replicas ?? 1, 'replicas', this.where),
        selector: { matchLabels: this.selectorLabels },
        podManagementPolicy: props.podManagementPolicy,
        updateStrategy,
        persistentVolumeClaimRetentionPolicy: props.persistentVolumeClaimRetentionPolicy
          ? { ...props.persistentVolumeClaimRetentionPolicy }
          : undefined,
        minReadySeconds: positiveInt(props.minReadySeconds, 'minReadySeconds', this.where),
        template,
        volumeClaimTemplates: claims.length > 0 ? claims : undefined,
      },
      props.relax,
      POD_POLICY_IDS,
    );
  }
}

export interface DaemonSetProps extends WorkloadProps<ServiceContainer, PodPolicyId> {
  /** @default - RollingUpdate */
  readonly updateStrategy?:
    | {
        readonly type: 'RollingUpdate';
        readonly maxUnavailable?: number | string;
        readonly maxSurge?: number | string;
      }
    | { readonly type: 'OnDelete' };
  readonly minReadySeconds?: number;
}

/** An `apps/v1` DaemonSet: long-running, so its containers need liveness and readiness probes. */
export class DaemonSet extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: DaemonSetProps) {
    super(scope, id, 'apps/v1', 'DaemonSet', props);
    const template = this.podTemplate(props);
    const updateStrategy = props.updateStrategy
      ? props.updateStrategy.type === 'OnDelete'
        ? { type: 'OnDelete' }
        : {
            type: 'RollingUpdate',
            rollingUpdate: definedOnly({
              maxUnavailable: props.updateStrategy.maxUnavailable,
              maxSurge: props.updateStrategy.maxSurge,
            }),
          }
      : undefined;
    this.finish(
      {
        selector: { matchLabels: this.selectorLabels },
        updateStrategy,
        minReadySeconds: positiveInt(props.minReadySeconds, 'minReadySeconds', this.where),
        template,
      },
      props.relax,
      POD_POLICY_IDS,
    );
  }
}

/** How a Job runs its pods. */
export interface JobOptions {
  /**
   * Pods of a Job must not restart in place forever; `Never` leaves failed pods for inspection.
   *
   * @default 'Never'
   */
  readonly restartPolicy?: 'Never' | 'OnFailure';
  /** @default - the Kubernetes default (6) */
  readonly backoffLimit?: number;
  /** @default - no deadline */
  readonly activeDeadlineSeconds?: number;
  /** @default - finished Jobs are kept */
  readonly ttlSecondsAfterFinished?: number;
  /** @default 1 */
  readonly completions?: number;
  /** @default 1 */
  readonly parallelism?: number;
}

export interface JobProps extends WorkloadProps<BatchContainer, BatchPolicyId>, JobOptions {}

function jobSpec(where: string, options: JobOptions, template: unknown) {
  return definedOnly({
    backoffLimit: positiveInt(options.backoffLimit, 'backoffLimit', where),
    activeDeadlineSeconds: positiveInt(options.activeDeadlineSeconds, 'activeDeadlineSeconds', where, 1),
    ttlSecondsAfterFinished: positiveInt(options.ttlSecondsAfterFinished, 'ttlSecondsAfterFinished', where),
    completions: positiveInt(options.completions, 'completions', where),
    parallelism: positiveInt(options.parallelism, 'parallelism', where),
    template,
  });
}

/** A `batch/v1` Job: runs to completion, so probes are optional (`require-probes` exempts it). */
export class Job extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: JobProps) {
    super(scope, id, 'batch/v1', 'Job', props);
    const template = this.podTemplate(props, { restartPolicy: props.restartPolicy ?? 'Never' });
    this.finish(jobSpec(this.where, props, template), props.relax, BATCH_POLICY_IDS);
  }
}

export interface CronJobProps extends JobProps {
  /** Cron schedule (5 fields, or a macro such as `@hourly`). */
  readonly schedule: string;
  /** IANA time zone of the schedule, e.g. `Europe/Paris`. @default - the controller manager's time zone */
  readonly timeZone?: string;
  /**
   * A run that overlaps the previous one is skipped: concurrent runs of batch code are rarely safe.
   *
   * @default 'Forbid'
   */
  readonly concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
  /** @default - no deadline */
  readonly startingDeadlineSeconds?: number;
  /** @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** @default 1 */
  readonly failedJobsHistoryLimit?: number;
  /** @default false */
  readonly suspend?: boolean;
}

const CRON_MACRO = /^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \S+)$/;

/** A `batch/v1` CronJob: runs to completion, so probes are optional (`require-probes` exempts it). */
export class CronJob extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: CronJobProps) {
    super(scope, id, 'batch/v1', 'CronJob', props);
    const schedule = props.schedule?.trim() ?? '';
    if (!CRON_MACRO.test(schedule) && schedule.split(/\s+/).length !== 5) {
      throw new PalisadeConfigError(
        `${this.where}: schedule "${props.schedule}" must have 5 fields (minute hour day month weekday) or be a macro such as @hourly`,
      );
    }
    if (this.name.length > 52) {
      throw new PalisadeConfigError(
        `${this.where}: a CronJob name must be at most 52 characters (its Jobs append a suffix)`,
      );
    }
    const template = this.podTemplate(props, { restartPolicy: props.restartPolicy ?? 'Never' });
    this.finish(
      {
        schedule,
        timeZone: props.timeZone,
        concurrencyPolicy: props.concurrencyPolicy ?? 'Forbid',
        startingDeadlineSeconds: positiveInt(
          props.startingDeadlineSeconds,
          'startingDeadlineSeconds',
          this.where,
        ),
        successfulJobsHistoryLimit: positiveInt(
          props.successfulJobsHistoryLimit,
          'successfulJobsHistoryLimit',
          this.where,
        ),
        failedJobsHistoryLimit: positiveInt(
          props.failedJobsHistoryLimit,
          'failedJobsHistoryLimit',
          this.where,
        ),
        suspend: props.suspend,
        jobTemplate: {
          metadata: { labels: this.selectorLabels },
          spec: jobSpec(this.where, props, template),
        },
      },
      props.relax,
      BATCH_POLICY_IDS,
    );
  }
}

export interface PodProps extends WorkloadProps<ServiceContainer, PodPolicyId> {
  /** @default 'Always' */
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}

/**
 * A bare `v1` Pod. Prefer a controller (Deployment, Job): a bare Pod is not rescheduled when its node fails. Its
 * containers need liveness and readiness probes (`require-probes` applies to every Pod).
 */
export class Pod extends PalisadeWorkload {
  constructor(scope: Construct, id: string, props: PodProps) {
    super(scope, id, 'v1', 'Pod', props);
    const template = this.podTemplate(props, { restartPolicy: props.restartPolicy ?? 'Always' });
    this.setBody({ spec: template.spec });
    const labels = template.metadata.labels as Record<string, string>;
    for (const [key, value] of Object.entries(labels)) this.apiObject.metadata.addLabel(key, value);
    const annotations = (template.metadata.annotations ?? {}) as Record<string, string>;
    for (const [key, value] of Object.entries(annotations)) this.apiObject.metadata.addAnnotation(key, value);
    this.enforce(props.relax ?? [], POD_POLICY_IDS, this.settings);
  }
}
