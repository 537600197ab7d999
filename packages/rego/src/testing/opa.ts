import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enginePath } from '@palisade/engines';

/** Test-only driver of the real `opa` binary. A missing engine throws enginePath's message. */

export function opaBinary(): string {
  return enginePath('opa');
}

/** `opa check --strict` over modules; returns opa's output ('' when they pass). */
export function opaCheckStrict(modules: ReadonlyMap<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-opa-check-'));
  try {
    for (const [name, text] of modules) writeFileSync(join(dir, name), text);
    execFileSync(opaBinary(), ['check', '--strict', dir], { encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface OpaPolicy {
  /** A Rego identifier; the module's package must be `templates.<key>`. */
  key: string;
  rego: string;
  params: unknown;
  /** Ids of the objects this policy is evaluated on (its kinds). */
  objects: readonly string[];
}

export interface OpaViolation {
  msg: string;
  details: { path: (string | number)[] };
}

const HARNESS = `package harness

out contains r if {
	some key, ids in data.targets
	some id in ids
	vs := data.templates[key].violation with input as {"review": {"object": data.objects[id]}, "parameters": data.params[key]}
	count(vs) > 0
	r := {"policy": key, "object": id, "violations": vs}
}
`;

/** Evaluates every policy on its objects in one `opa eval`; returns violations by policy key, then object id. */
export function opaViolations(
  policies: readonly OpaPolicy[],
  objects: ReadonlyMap<string, unknown>,
  libs: readonly string[],
): Map<string, Map<string, OpaViolation[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-opa-eval-'));
  try {
    mkdirSync(join(dir, 'modules'));
    for (const [i, lib] of libs.entries()) writeFileSync(join(dir, 'modules', `lib${i}.rego`), lib);
    for (const p of policies) writeFileSync(join(dir, 'modules', `${p.key}.rego`), p.rego);
    writeFileSync(join(dir, 'modules', 'harness.rego'), HARNESS);
    const data = {
      objects: Object.fromEntries(objects),
      params: Object.fromEntries(policies.map((p) => [p.key, p.params])),
      targets: Object.fromEntries(policies.map((p) => [p.key, p.objects])),
    };
    writeFileSync(join(dir, 'data.json'), JSON.stringify(data));
    const stdout = execFileSync(
      opaBinary(),
      [
        'eval',
        '--format',
        'json',
        '-d',
        join(dir, 'modules'),
        '-d',
        join(dir, 'data.json'),
        'data.harness.out',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 30 },
    );
    const parsed = JSON.parse(stdout) as {
      result?: {
        expressions: { value: { policy: string; object: string; violations: OpaViolation[] }[] }[];
      }[];
    };
    const out = new Map<string, Map<string, OpaViolation[]>>();
    for (const r of parsed.result?.[0]?.expressions[0]?.value ?? []) {
      const byObject = out.get(r.policy) ?? new Map<string, OpaViolation[]>();
      byObject.set(r.object, r.violations);
      out.set(r.policy, byObject);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
