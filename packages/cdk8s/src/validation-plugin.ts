import { formatPath, loadManifestFile, type ManifestResource } from '@palisade/validator';
import { z } from 'zod';
import {
  type ComplianceReport,
  checkManifests,
  describeFinding,
  type Finding,
  isExceptionDocument,
  readExceptionDocument,
  type SourcedManifest,
} from './validate.js';

/*
 * The cdk8s CLI's validation plugin contract (cdk8s-cli `src/plugins/validation.ts`): `cdk8s synth` loads the
 * package named in cdk8s.yaml `validations`, instantiates `new <class>(properties)` and awaits
 * `validate(context)`; the plugin reads `context.manifests` (paths of the synthesized YAML files), adds violations
 * to `context.report` and must end with `context.report.submit('success' | 'failure')`. A failed report makes
 * `cdk8s synth` exit with status 2. The types below are that contract's shape, declared here so the plugin does
 * not depend on the CLI at run time (the CLI's own example plugin imports them as types only).
 */

export interface Cdk8sValidationViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

export interface Cdk8sValidationViolation {
  readonly ruleName: string;
  readonly recommendation: string;
  readonly fix: string;
  readonly violatingResources: readonly Cdk8sValidationViolatingResource[];
}

export interface Cdk8sValidationReport {
  addViolation(violation: Cdk8sValidationViolation): void;
  submit(status: 'success' | 'failure', metadata?: { readonly [key: string]: string }): void;
}

export interface Cdk8sValidationContext {
  readonly manifests: readonly string[];
  readonly report: Cdk8sValidationReport;
  readonly logger: { log(message: string): void };
}

/** The `properties` of the plugin in cdk8s.yaml. */
export interface PalisadeValidationProps {
  /** The Pod Security Standards profile. @default 'restricted' */
  readonly profile?: 'baseline' | 'restricted';
  /** Add every hardening policy. @default true */
  readonly hardening?: boolean;
  /** Extra catalogue policies by id. @default - none */
  readonly policies?: readonly string[];
  /** Catalogue policies to leave out by id. @default - none */
  readonly excludePolicies?: readonly string[];
  /** @default 'latest' */
  readonly pssVersion?: string;
  /** `restrict-image-registries` allowed prefixes; required with hardening unless that policy is excluded. */
  readonly allowedRegistries?: readonly string[];
  /** `require-runtime-class` allowed RuntimeClasses; required with hardening unless that policy is excluded. */
  readonly runtimeClasses?: readonly string[];
  /** Files of `PolicyException` documents to honour besides those in the synthesized manifests. @default - none */
  readonly exceptionFiles?: readonly string[];
}

const propsSchema = z.strictObject({
  profile: z.enum(['baseline', 'restricted']).optional(),
  hardening: z.boolean().optional(),
  policies: z.array(z.string().min(1)).optional(),
  excludePolicies: z.array(z.string().min(1)).optional(),
  pssVersion: z.string().min(1).optional(),
  allowedRegistries: z.array(z.string().min(1)).optional(),
  runtimeClasses: z.array(z.string().min(1)).optional(),
  exceptionFiles: z.array(z.string().min(1)).optional(),
});

/** The rule name input and configuration problems are reported under. */
export const CONFIGURATION_RULE = 'palisade-configuration';

function location(finding: Finding): string[] {
  if (finding.violations.length === 0) return [finding.message];
  return finding.violations.map((v) => {
    const where = formatPath(v.path) || '<root>';
    return `${where}${v.line === undefined ? '' : ` (line ${v.line})`}: ${v.message}`;
  });
}

function sourced(resource: ManifestResource): SourcedManifest {
  return { object: resource.object, source: resource.file, lineOf: (path) => resource.lineOf(path) };
}

/**
 * Runs the Palisade validator on the manifests `cdk8s synth` produced: the `restricted` profile plus the hardening
 * policies by default, honouring the PolicyException documents Palisade constructs emit into the charts.
 *
 * ```yaml
 * # cdk8s.yaml
 * validations:
 *   - package: '@palisade/cdk8s'
 *     version: 0.1.0
 *     class: PalisadeValidation
 *     properties:
 *       allowedRegistries: [registry.example.com/]
 *       runtimeClasses: [gvisor]
 * ```
 */
export class PalisadeValidation {
  readonly props: PalisadeValidationProps;

  constructor(props: PalisadeValidationProps = {}) {
    const parsed = propsSchema.safeParse(props ?? {});
    if (!parsed.success) {
      throw new Error(
        `invalid PalisadeValidation properties in cdk8s.yaml: ${z.prettifyError(parsed.error)}`,
      );
    }
    // zod types absent keys as `| undefined`; every reader treats undefined as unset, as the interface intends.
    this.props = parsed.data as PalisadeValidationProps;
  }

  async validate(context: Cdk8sValidationContext): Promise<void> {
    const configuration = (message: string, manifestPath = 'cdk8s.yaml') =>
      context.report.addViolation({
        ruleName: CONFIGURATION_RULE,
        recommendation: message,
        fix: 'Fix the manifest or the PalisadeValidation properties in cdk8s.yaml.',
        violatingResources: [{ resourceName: 'N/A', locations: [message], manifestPath }],
      });

    let report: ComplianceReport;
    let inputErrors = 0;
    try {
      const manifests: SourcedManifest[] = [];
      for (const file of context.manifests) {
        const loaded = await loadManifestFile(file);
        for (const error of loaded.errors) {
          inputErrors++;
          configuration(
            `${error.line === undefined ? '' : `line ${error.line}: `}${error.message}`,
            error.file,
          );
        }
        manifests.push(...loaded.resources.map(sourced));
      }
      const extra = [];
      for (const file of this.props.exceptionFiles ?? []) {
        const loaded = await loadManifestFile(file);
        if (loaded.errors[0]) throw new Error(`${file}: ${loaded.errors[0].message}`);
        for (const resource of loaded.resources) {
          if (!isExceptionDocument(resource.object)) {
            throw new Error(
              `${file}:${resource.line}: expected a PolicyException, found ${resource.apiVersion} ${resource.kind}`,
            );
          }
          extra.push(readExceptionDocument(resource.object, `${file}:${resource.line}`));
        }
      }
      report = checkManifests(manifests, {
        profile: this.props.profile,
        hardening: this.props.hardening,
        include: this.props.policies,
        exclude: this.props.excludePolicies,
        pssVersion: this.props.pssVersion,
        allowedRegistries: this.props.allowedRegistries,
        runtimeClasses: this.props.runtimeClasses,
        exceptions: extra,
      });
    } catch (error) {
      configuration(error instanceof Error ? error.message : String(error));
      context.report.submit('failure');
      return;
    }

    // One violation per policy, listing each failing resource with the fields and messages.
    const byPolicy = new Map<string, Finding[]>();
    for (const finding of report.failures) {
      byPolicy.set(finding.policy.id, [...(byPolicy.get(finding.policy.id) ?? []), finding]);
    }
    for (const [id, findings] of byPolicy) {
      const policy = findings[0]!.policy;
      context.report.addViolation({
        ruleName: id,
        recommendation: `${policy.title}: ${policy.description}`,
        fix: policy.remediation,
        violatingResources: findings.map((f) => ({
          resourceName: f.name ?? describeFinding(f),
          manifestPath: f.source ?? 'N/A',
          locations: location(f),
        })),
      });
    }
    for (const warning of report.warnings) {
      context.logger.log(
        `palisade: warning: ${describeFinding(warning)}: ${warning.policy.id}: ${warning.message}`,
      );
    }
    const skipped = report.findings.filter((f) => f.status === 'skip' && f.exception !== undefined).length;
    context.report.submit(report.failures.length > 0 || inputErrors > 0 ? 'failure' : 'success', {
      profile: this.props.profile ?? 'restricted',
      hardening: String(this.props.hardening ?? true),
      policies: String(report.policies.length),
      resources: String(report.resources),
      exceptions: String(report.exceptions.length),
      excepted: String(skipped),
      failures: String(report.failures.length),
      ...(inputErrors > 0 ? { inputErrors: String(inputErrors) } : {}),
    });
  }
}
