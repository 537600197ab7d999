import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KIND_API_GROUPS, matchedKinds, type PolicyConfig } from '@palisade/core';
import { enginePath } from '@palisade/engines';
import { Validator } from '@palisade/validator';
import { stringify } from 'yaml';
import { compileCel } from '../compile.js';
import { celLiteral } from '../literal.js';
import { asKyvernoCliLoads } from './cli-input.js';

/**
 * Test harness: compiles cases to a Kyverno ValidatingPolicy (one validation carrying the whole-result message)
 * and a ClusterPolicy (one `validate.cel` expression per check), runs them with the real `kyverno apply`, and sets
 * the results beside the in-process validator's. Each case's objects carry a label its two policies select on, so
 * one CLI run evaluates every case.
 */

export interface Case {
  config: PolicyConfig;
  objects: readonly Record<string, unknown>[];
  exemptImages?: readonly string[];
}

export interface Verdict {
  status: string;
  message: string;
}

export interface Outcome {
  caseIndex: number;
  object: Record<string, unknown>;
  validator: Verdict;
  /** The validator's violations of the first failing check: what a one-expression-per-check engine reports. */
  firstCheckMessage: string;
  vp: Verdict;
  cp: Verdict;
}

const LABEL = 'palisade.dev/case';

const PLURALS: Record<string, string> = { Ingress: 'ingresses', NetworkPolicy: 'networkpolicies' };
export const resourceOf = (kind: string): string => PLURALS[kind] ?? `${kind.toLowerCase()}s`;

type Obj = Record<string, unknown>;

function policies(c: Case, i: number): Obj[] {
  // The validator evaluates parsed parameters (zod defaults applied); so must the policy.
  const params = c.config.policy.params.parse(c.config.params ?? {}) as Parameters<typeof celLiteral>[0];
  const compiled = compileCel(c.config, {
    object: 'object',
    params: 'variables.params',
    ...(c.exemptImages ? { exemptImages: c.exemptImages } : {}),
  });
  const variables = [{ name: 'params', expression: celLiteral(params) }, ...compiled.variables];
  const kinds = matchedKinds(c.config.match ?? c.config.policy.match);
  const rules = kinds.map((kind) => {
    const api = KIND_API_GROUPS[kind];
    if (!api) throw new Error(`no API group known for ${kind}`);
    return {
      apiGroups: [api.group],
      apiVersions: [api.version],
      operations: ['CREATE', 'UPDATE'],
      resources: [resourceOf(kind)],
    };
  });
  const all = compiled.validations.map((v) => `(${v.expression})`).join(' && ') || 'true';
  const vp = {
    apiVersion: 'policies.kyverno.io/v1',
    kind: 'ValidatingPolicy',
    metadata: { name: `vp-${i}` },
    spec: {
      validationActions: ['Audit'],
      matchConstraints: { resourceRules: rules, objectSelector: { matchLabels: { [LABEL]: `c${i}` } } },
      ...(compiled.precondition
        ? { matchConditions: [{ name: 'when', expression: compiled.precondition }] }
        : {}),
      variables,
      validations: [{ expression: all, messageExpression: compiled.messageExpression }],
    },
  };
  const cp = {
    apiVersion: 'kyverno.io/v1',
    kind: 'ClusterPolicy',
    metadata: { name: `cp-${i}`, annotations: { 'pod-policies.kyverno.io/autogen-controllers': 'none' } },
    spec: {
      background: true,
      rules: [
        {
          name: 'check',
          match: { any: [{ resources: { kinds, selector: { matchLabels: { [LABEL]: `c${i}` } } } }] },
          ...(compiled.precondition
            ? { celPreconditions: [{ name: 'when', expression: compiled.precondition }] }
            : {}),
          validate: {
            failureAction: 'Audit',
            cel: {
              variables,
              expressions: compiled.validations.length > 0 ? compiled.validations : [{ expression: 'true' }],
            },
          },
        },
      ],
    },
  };
  return [vp, cp];
}

function labelled(original: Obj, caseIndex: number, objectIndex: number): Obj {
  const object = asKyvernoCliLoads(original);
  const metadata = (
    typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {}
  ) as Obj;
  const labels = (
    typeof metadata.labels === 'object' && metadata.labels !== null ? metadata.labels : {}
  ) as Obj;
  return {
    ...object,
    metadata: {
      ...metadata,
      name: `o-${caseIndex}-${objectIndex}`,
      labels: { ...labels, [LABEL]: `c${caseIndex}` },
    },
  };
}

interface ReportResult {
  policy: string;
  result: string;
  message?: string;
  resources?: { name?: string }[];
}

/** Runs `kyverno apply` on the documents and returns the policy report's results. */
export async function runKyvernoApply(
  policyDocs: readonly Obj[],
  resources: readonly Obj[],
): Promise<ReportResult[]> {
  const binary = enginePath('kyverno');
  const dir = mkdtempSync(join(tmpdir(), 'palisade-cel-'));
  try {
    const yaml = (docs: readonly Obj[]) => docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
    writeFileSync(join(dir, 'policies.yaml'), yaml(policyDocs));
    writeFileSync(join(dir, 'resources.yaml'), yaml(resources));
    const args = [
      'apply',
      join(dir, 'policies.yaml'),
      '--resource',
      join(dir, 'resources.yaml'),
      '-p',
      '--output-format',
      'json',
    ];
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(binary, args);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.on('error', reject);
      child.on('close', () =>
        resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
      );
    });
    const start = stdout.indexOf('{');
    if (start < 0) throw new Error(`kyverno apply printed no report:\n${stdout}\n${stderr}`);
    const report = JSON.parse(stdout.slice(start)) as { results?: ReportResult[] };
    return report.results ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs jobs `width` at a time. Kyverno's CLI compiles every CEL policy once per resource, so runs are split per
 * policy (each policy compiles only for its own resources) and spread over the cores.
 */
export async function pool<T, R>(
  items: readonly T[],
  width: number,
  job: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await job(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return results;
}

function validatorFor(config: PolicyConfig, exempt: readonly string[] | undefined): Validator {
  const exceptions = exempt
    ? [{ name: 'x', policies: ['*'], reason: 'test', match: { images: [...exempt] } }]
    : [];
  return new Validator({ policies: [config], exceptions });
}

export async function runCases(cases: readonly Case[]): Promise<Outcome[]> {
  const labelledObjects = cases.map((c, i) => c.objects.map((o, j) => labelled(o, i, j)));
  const runs = await pool(
    cases.map((_c, i) => i),
    2,
    (i) => runKyvernoApply(policies(cases[i] as Case, i), labelledObjects[i] ?? []),
  );
  const results = runs.flat();
  const byKey = new Map<string, Verdict>();
  for (const r of results) {
    const name = r.resources?.[0]?.name ?? '';
    byKey.set(`${r.policy}/${name}`, { status: r.result, message: r.message ?? '' });
  }
  return cases.flatMap((c, i) => {
    const whole = validatorFor(c.config, c.exemptImages);
    // One validator per check gives the message an engine reporting only the first failing check shows.
    const perCheck = c.config.rule.checks.map((check) =>
      validatorFor({ ...c.config, rule: { ...c.config.rule, checks: [check] } }, c.exemptImages),
    );
    return (labelledObjects[i] ?? []).map((object, j) => {
      const name = `o-${i}-${j}`;
      const result = whole.validate(object)[0];
      const first = perCheck.map((v) => v.validate(object)[0]).find((r) => r && denies(r.status));
      return {
        caseIndex: i,
        object,
        validator: { status: result?.status ?? 'none', message: result?.message ?? '' },
        firstCheckMessage: first?.message ?? '',
        vp: byKey.get(`vp-${i}/${name}`) ?? { status: 'none', message: '' },
        cp: byKey.get(`cp-${i}/${name}`) ?? { status: 'none', message: '' },
      };
    });
  });
}

/** fail and warn are both "the policy denies"; everything else is not. */
export const denies = (status: string): boolean => status === 'fail' || status === 'warn';
