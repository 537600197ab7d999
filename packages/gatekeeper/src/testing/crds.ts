import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pinnedModuleDir } from '@palisade/engines';
import { parse } from 'yaml';

type Schema = Record<string, unknown>;
type Crd = Record<string, unknown>;

const gatekeeperDir = () => pinnedModuleDir('gator', 'github.com/open-policy-agent/gatekeeper/v3');

/** The ConstraintTemplate CRD Gatekeeper's Helm chart installs, at the version gator is built from. */
export function constraintTemplateCrd(): { crd: Crd; source: string } {
  const { dir, version } = gatekeeperDir();
  const file = join(dir, 'charts/gatekeeper/crds/constrainttemplate-customresourcedefinition.yaml');
  return { crd: parse(readFileSync(file, 'utf8')) as Crd, source: `gatekeeper ${version} ${file}` };
}

/**
 * The schema of a constraint's `spec.match`: Gatekeeper embeds it in Go (pkg/target/matchcrd_constant.go, the
 * controller-gen CRD of its Match type) and reads `embeddedMatch` out of it; so do we.
 */
function matchSchema(): Schema {
  const { dir } = gatekeeperDir();
  const go = readFileSync(join(dir, 'pkg/target/matchcrd_constant.go'), 'utf8');
  // A Go raw string: a backtick inside it is written `+"`"+`.
  const yaml = /const matchYAML = `((?:[^`]|`\+"`"\+`)*)`/.exec(go)?.[1]?.replaceAll('`+"`"+`', '`');
  if (!yaml) throw new Error('gatekeeper pkg/target/matchcrd_constant.go: no matchYAML constant');
  const crd = parse(yaml) as { spec: { versions: { schema: { openAPIV3Schema: Schema } }[] } };
  const props = crd.spec.versions[0]?.schema.openAPIV3Schema.properties as Record<string, Schema> | undefined;
  const embedded = props?.embeddedMatch;
  if (!embedded) throw new Error('gatekeeper match CRD has no embeddedMatch');
  return embedded;
}

/**
 * The CRD Gatekeeper's controller creates for a ConstraintTemplate, built the way it does (no controller runs
 * here): frameworks' crds.CreateSchema (spec.match from the target's match schema, enforcementAction defaulting
 * to deny, scopedEnforcementActions, spec.parameters = the template's openAPIV3Schema, status preserved) and
 * crds.CreateCRD (group constraints.gatekeeper.sh, cluster-scoped, plural = lower-case kind, v1beta1 stored and
 * v1alpha1 served, status subresource, the gatekeeper.sh/constraint label).
 */
export function constraintCrd(template: Record<string, unknown>): Crd {
  const spec = template.spec as {
    crd: {
      spec: { names: { kind: string; shortNames?: string[] }; validation?: { openAPIV3Schema?: Schema } };
    };
  };
  const kind = spec.crd.spec.names.kind;
  const plural = kind.toLowerCase();
  const props: Record<string, Schema> = {
    match: matchSchema(),
    enforcementAction: { type: 'string', default: 'deny' },
    scopedEnforcementActions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          action: { type: 'string' },
          enforcementPoints: {
            type: 'array',
            items: { type: 'object', properties: { name: { type: 'string' } } },
          },
        },
      },
    },
  };
  const parameters = spec.crd.spec.validation?.openAPIV3Schema;
  if (parameters) props.parameters = parameters;
  const schema = {
    type: 'object',
    properties: {
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
      spec: { type: 'object', properties: props },
      status: { 'x-kubernetes-preserve-unknown-fields': true },
    },
  };
  const version = (name: string, storage: boolean) => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: schema },
    subresources: { status: {} },
    additionalPrinterColumns: [
      {
        name: 'enforcement-action',
        description: 'Type of enforcement action',
        jsonPath: '.spec.enforcementAction',
        type: 'string',
      },
      {
        name: 'total-violations',
        description: 'Total number of violations',
        jsonPath: '.status.totalViolations',
        type: 'integer',
      },
    ],
  });
  const labels = {
    ...((template.metadata as { labels?: Record<string, string> }).labels ?? {}),
    'gatekeeper.sh/constraint': 'yes',
  };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.constraints.gatekeeper.sh`, labels },
    spec: {
      group: 'constraints.gatekeeper.sh',
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: plural,
        categories: ['constraint', 'constraints'],
        ...(spec.crd.spec.names.shortNames ? { shortNames: spec.crd.spec.names.shortNames } : {}),
      },
      scope: 'Cluster',
      preserveUnknownFields: false,
      versions: [version('v1beta1', true), version('v1alpha1', false)],
    },
  };
}
