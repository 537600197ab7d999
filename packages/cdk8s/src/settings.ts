import { Chart, type ChartProps } from 'cdk8s';
import type { Construct, IConstruct } from 'constructs';
import type { ResourceOptions } from './pod.js';
import { PalisadeConfigError } from './relax.js';

/**
 * Organisation-wide choices the constructs cannot guess. The two policies with required parameters take them from
 * here, and the constructs set the matching fields, so the same values drive the output and its validation.
 */
export interface PalisadeSettings {
  /**
   * Image prefixes workloads may pull from: the `registries` parameter of `restrict-image-registries`. End each
   * with "/" (`registry.example.com/` — without it `registry.example.com.evil.io/x` would match too).
   */
  readonly allowedRegistries: readonly string[];
  /**
   * The RuntimeClass every pod runs under (`spec.runtimeClassName`), typically a sandbox such as gVisor or Kata.
   * Satisfies `require-runtime-class`.
   */
  readonly runtimeClassName: string;
  /**
   * Every RuntimeClass the cluster accepts: the `runtimeClasses` parameter of `require-runtime-class`, for
   * workloads that pick another class with their own `runtimeClassName`.
   *
   * @default [runtimeClassName]
   */
  readonly allowedRuntimeClasses?: readonly string[];
  /**
   * The Pod Security Standards version constructs check their output against.
   *
   * @default 'latest'
   */
  readonly pssVersion?: string;
  /**
   * The non-root UID pods run as (`spec.securityContext.runAsUser`). 65532 is the `nonroot` user of distroless
   * images. Satisfies `require-run-as-non-root-user`.
   *
   * @default 65532
   */
  readonly runAsUser?: number;
  /**
   * The GID pods run as (`runAsGroup`), also used as `fsGroup` so mounted volumes are writable by that group.
   *
   * @default 65532
   */
  readonly runAsGroup?: number;
  /**
   * Resource requests and limits for containers that do not set their own, merged field by field over the
   * built-in defaults (requests cpu 100m and memory 128Mi, limit memory 256Mi). Satisfies `require-requests-limits`.
   *
   * @default - the built-in defaults
   */
  readonly defaultResources?: ResourceOptions;
}

/** Settings with every default applied. */
export interface ResolvedSettings {
  readonly allowedRegistries: readonly string[];
  readonly runtimeClassName: string;
  readonly allowedRuntimeClasses: readonly string[];
  readonly pssVersion: string;
  readonly runAsUser: number;
  readonly runAsGroup: number;
  readonly defaultResources: ResourceOptions | undefined;
}

export const DEFAULT_RUN_AS_USER = 65532;
export const DEFAULT_RUN_AS_GROUP = 65532;

const registry = new WeakMap<IConstruct, ResolvedSettings>();

function positiveId(value: number, what: string): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new PalisadeConfigError(
      `Palisade settings: ${what} must be a positive integer (0 is root; policy require-run-as-non-root-user), got ${value}`,
    );
  }
  return value;
}

export function resolveSettings(settings: PalisadeSettings): ResolvedSettings {
  const registries = [...(settings.allowedRegistries ?? [])];
  if (registries.length === 0) {
    throw new PalisadeConfigError(
      'Palisade settings: allowedRegistries must list at least one registry prefix (restrict-image-registries has ' +
        'no default allow-list), e.g. ["registry.example.com/"]',
    );
  }
  for (const prefix of registries) {
    if (!prefix.endsWith('/')) {
      throw new PalisadeConfigError(
        `Palisade settings: allowedRegistries entry "${prefix}" must end with "/": prefixes are compared literally, ` +
          `so "${prefix}" would also admit "${prefix}.attacker.example/app" (restrict-image-registries)`,
      );
    }
  }
  if (typeof settings.runtimeClassName !== 'string' || settings.runtimeClassName === '') {
    throw new PalisadeConfigError(
      'Palisade settings: runtimeClassName is required (require-runtime-class has no default), e.g. "gvisor"',
    );
  }
  const allowedRuntimeClasses = [
    ...new Set([settings.runtimeClassName, ...(settings.allowedRuntimeClasses ?? [])]),
  ];
  return {
    allowedRegistries: registries,
    runtimeClassName: settings.runtimeClassName,
    allowedRuntimeClasses,
    pssVersion: settings.pssVersion ?? 'latest',
    runAsUser: positiveId(settings.runAsUser ?? DEFAULT_RUN_AS_USER, 'runAsUser'),
    runAsGroup: positiveId(settings.runAsGroup ?? DEFAULT_RUN_AS_GROUP, 'runAsGroup'),
    defaultResources: settings.defaultResources,
  };
}

/**
 * Attaches Palisade settings to a scope (usually an existing `Chart`); constructs below it use them. Use
 * `PalisadeChart` for new charts.
 */
export function configurePalisade(scope: IConstruct, settings: PalisadeSettings): ResolvedSettings {
  const resolved = resolveSettings(settings);
  registry.set(scope, resolved);
  return resolved;
}

/** The settings of the nearest configured scope, or undefined when none is. */
export function findPalisadeSettings(scope: IConstruct): ResolvedSettings | undefined {
  for (let node: IConstruct | undefined = scope; node; node = node.node.scope) {
    const found = registry.get(node);
    if (found) return found;
  }
  return undefined;
}

/** The settings of the nearest configured scope; a clear error when there is none. */
export function palisadeSettingsOf(scope: IConstruct): ResolvedSettings {
  const found = findPalisadeSettings(scope);
  if (!found) {
    throw new PalisadeConfigError(
      `${scope.node.path}: no Palisade settings in scope. Create it inside a PalisadeChart, or call ` +
        'configurePalisade(chart, { allowedRegistries, runtimeClassName }) on its chart first',
    );
  }
  return found;
}

export interface PalisadeChartProps extends Omit<ChartProps, 'namespace'>, PalisadeSettings {
  /**
   * The namespace of every resource in the chart that does not name its own. Required, and never "default":
   * policy `disallow-default-namespace`.
   */
  readonly namespace: string;
}

/** A cdk8s `Chart` whose Palisade constructs share one namespace and one set of organisation settings. */
export class PalisadeChart extends Chart {
  readonly settings: ResolvedSettings;
  declare readonly namespace: string;

  constructor(scope: Construct, id: string, props: PalisadeChartProps) {
    if (typeof props.namespace !== 'string' || props.namespace === '' || props.namespace === 'default') {
      throw new PalisadeConfigError(
        `PalisadeChart ${id}: namespace must name a dedicated namespace, not ${JSON.stringify(props.namespace ?? '')} ` +
          '(policy disallow-default-namespace)',
      );
    }
    const {
      allowedRegistries,
      runtimeClassName,
      allowedRuntimeClasses,
      pssVersion,
      runAsUser,
      runAsGroup,
      defaultResources,
      ...chartProps
    } = props;
    super(scope, id, chartProps);
    this.settings = configurePalisade(this, {
      allowedRegistries,
      runtimeClassName,
      ...(allowedRuntimeClasses === undefined ? {} : { allowedRuntimeClasses }),
      ...(pssVersion === undefined ? {} : { pssVersion }),
      ...(runAsUser === undefined ? {} : { runAsUser }),
      ...(runAsGroup === undefined ? {} : { runAsGroup }),
      ...(defaultResources === undefined ? {} : { defaultResources }),
    });
  }
}
