/**
 * Palisade's generated policies beside hand-written equivalents, in the real engines, on one seeded corpus:
 * `kyverno apply` with Palisade's ClusterPolicies, its ValidatingPolicies and kyverno/policies' ClusterPolicies
 * (Deployments: Kyverno autogenerates their Pod rules), and `gator test` with Palisade's templates and
 * constraints, the same restricted to the policies gatekeeper-library has, and gatekeeper-library's (Pods).
 * Prints a markdown table: wall time per run (min/median/max) and the verdicts each side reached, since a side
 * that denies nothing has not done the same work. See docs/performance.md.
 *
 *   pnpm bench:engines                                   # 100 Deployments/Pods, 3 runs, every side
 *   pnpm bench:engines -- --count 200 --runs 3 --engine kyverno --side palisade-cp,kyverno-policies
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { enginePath } from '@palisade/engines';
import { workloadCorpus, yamlStream } from '@palisade/testing';
import { EQUIVALENTS, handWrittenDir } from './equivalents.js';
import { palisadeBuild } from './palisade-build.js';

const SIDES = [
  'palisade-cp',
  'palisade-vp',
  'kyverno-policies',
  'palisade-gk',
  'palisade-gk-matched',
  'gatekeeper-library',
] as const;
type Side = (typeof SIDES)[number];
const ENGINE_OF: Record<Side, 'kyverno' | 'gator'> = {
  'palisade-cp': 'kyverno',
  'palisade-vp': 'kyverno',
  'kyverno-policies': 'kyverno',
  'palisade-gk': 'gator',
  'palisade-gk-matched': 'gator',
  'gatekeeper-library': 'gator',
};
const LABEL: Record<Side, string> = {
  'palisade-cp': 'Palisade ClusterPolicies',
  'palisade-vp': 'Palisade ValidatingPolicies',
  'kyverno-policies': 'kyverno/policies ClusterPolicies',
  'palisade-gk': 'Palisade templates + constraints',
  'palisade-gk-matched': 'Palisade, only policies gatekeeper-library has',
  'gatekeeper-library': 'gatekeeper-library templates + constraints',
};

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    count: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    engine: { type: 'string', default: 'all' },
    side: { type: 'string', default: 'all' },
  },
});
const count = Number(values.count);
const runs = Number(values.runs);
const seed = Number(values.seed);
const engines = values.engine === 'all' ? ['kyverno', 'gator'] : values.engine.split(',');
const sides = (values.side === 'all' ? [...SIDES] : values.side.split(',')).filter((s): s is Side => {
  if (!(SIDES as readonly string[]).includes(s))
    throw new Error(`unknown --side ${s}: use ${SIDES.join(', ')}`);
  return engines.includes(ENGINE_OF[s as Side]);
});

const root = mkdtempSync(join(tmpdir(), 'palisade-engines-bench-'));
const repo = join(import.meta.dirname, '..', '..');

/** Palisade's output for the default selection (the restricted profile), built by the CLI itself. */
function buildPalisade(): string {
  return palisadeBuild(join(root, 'palisade'));
}

interface Run {
  ms: number;
  /** User + system CPU seconds of the engine process, when /usr/bin/time is there to measure them. */
  cpuMs: number | undefined;
  stdout: string;
  stderr: string;
  code: number;
}

// On a shared machine wall time moves with the load; the engine's own CPU time much less.
const TIME = '/usr/bin/time';
let runIndex = 0;

/** Runs an engine with stdin closed (gator reads stdin when it is not a terminal). */
function time(binary: string, args: readonly string[]): Promise<Run> {
  const cpuFile = join(root, `cpu-${runIndex++}.txt`);
  const measured = existsSync(TIME);
  const [file, argv] = measured
    ? [TIME, ['-f', '%U %S', '-o', cpuFile, binary, ...args]]
    : [binary, [...args]];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      let cpuMs: number | undefined;
      if (measured && existsSync(cpuFile)) {
        const last = readFileSync(cpuFile, 'utf8').trim().split('\n').pop() ?? '';
        const [user, system] = last.split(' ').map(Number);
        if (user !== undefined && system !== undefined && Number.isFinite(user + system))
          cpuMs = (user + system) * 1000;
      }
      resolve({
        ms,
        cpuMs,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        code: code ?? -1,
      });
    });
  });
}

interface Verdicts {
  /** Failed (policy or rule, object) results. */
  denials: number;
  /** Objects with at least one denial. */
  objectsDenied: number;
}

interface KyvernoResult {
  result?: string;
  resources?: { name?: string }[];
}

function kyvernoVerdicts(run: Run): Verdicts {
  if (run.stdout.includes('Policies Skipped:') || run.stdout.includes('Invalid Policies:'))
    throw new Error(`kyverno apply skipped a policy:\n${run.stdout.slice(0, 4000)}\n${run.stderr}`);
  const start = run.stdout.indexOf('{');
  if (start < 0) throw new Error(`kyverno apply printed no report:\n${run.stdout}\n${run.stderr}`);
  const report = JSON.parse(run.stdout.slice(start)) as {
    results?: KyvernoResult[];
    items?: { results?: KyvernoResult[] }[];
  };
  const results = [...(report.results ?? []), ...(report.items ?? []).flatMap((i) => i.results ?? [])];
  const failed = results.filter((r) => r.result === 'fail' || r.result === 'warn');
  return { denials: failed.length, objectsDenied: new Set(failed.map((r) => r.resources?.[0]?.name)).size };
}

function gatorVerdicts(run: Run): Verdicts {
  const text = run.stdout.trim();
  if (!text.startsWith('[') && text !== 'null' && text !== '')
    throw new Error(`gator test failed (${run.code}):\n${run.stderr}\n${run.stdout.slice(0, 4000)}`);
  const results =
    text === '' || text === 'null'
      ? []
      : (JSON.parse(text) as { violatingObject?: { metadata?: { name?: string } } }[]);
  return {
    denials: results.length,
    objectsDenied: new Set(results.map((r) => r.violatingObject?.metadata?.name)).size,
  };
}

interface Job {
  side: Side;
  policies: number;
  args: string[];
}

function jobs(): Job[] {
  const workloads = workloadCorpus(count, seed);
  const deployments = join(root, 'deployments.yaml');
  const pods = join(root, 'pods.yaml');
  writeFileSync(deployments, yamlStream(workloads.map((w) => w.deployment)));
  writeFileSync(pods, yamlStream(workloads.map((w) => w.pod)));
  const needsPalisade = sides.some((s) => s.startsWith('palisade'));
  const palisade = needsPalisade ? buildPalisade() : '';
  const palisadeIds = needsPalisade ? readdirIds(join(palisade, 'kyverno', 'cluster-policies')) : [];
  const vendor = handWrittenDir();
  const needsVendor = sides.includes('kyverno-policies') || sides.includes('gatekeeper-library');
  if (needsVendor && vendor === undefined)
    throw new Error(
      'the hand-written policies are missing: see bench/vendor/README.md (or leave those sides out with --side)',
    );
  const kyvernoApply = (files: string[]) => [
    'apply',
    ...files,
    '--resource',
    deployments,
    '-p',
    '--output-format',
    'json',
  ];
  const gatorTest = (files: string[]) => [
    'test',
    '-o',
    'json',
    ...files.flatMap((f) => ['-f', f]),
    '-f',
    pods,
  ];
  const gkMatched = palisadeIds.filter((id) => EQUIVALENTS[id]?.gatekeeper !== undefined);
  const gatekeeperFiles = (ids: readonly string[]) =>
    ids.flatMap((id) => [
      join(palisade, 'gatekeeper', id, 'template.yaml'),
      join(palisade, 'gatekeeper', id, 'constraint.yaml'),
    ]);
  const handKyverno = palisadeIdsOrAll(palisadeIds).flatMap((id) => {
    const file = EQUIVALENTS[id]?.kyverno;
    return file === undefined ? [] : [join(vendor ?? '', 'kyverno-policies', file)];
  });
  const handGatekeeper = palisadeIdsOrAll(palisadeIds).flatMap((id) => {
    const dir = EQUIVALENTS[id]?.gatekeeper;
    return dir === undefined
      ? []
      : [
          join(vendor ?? '', 'gatekeeper-library', dir, 'template.yaml'),
          join(vendor ?? '', 'gatekeeper-library', dir, 'constraint.yaml'),
        ];
  });
  const all: Record<Side, () => Job> = {
    'palisade-cp': () => ({
      side: 'palisade-cp',
      policies: palisadeIds.length,
      args: kyvernoApply(
        palisadeIds.map((id) => join(palisade, 'kyverno', 'cluster-policies', id, 'policy.yaml')),
      ),
    }),
    'palisade-vp': () => ({
      side: 'palisade-vp',
      policies: palisadeIds.length,
      args: kyvernoApply(
        palisadeIds.map((id) => join(palisade, 'kyverno', 'validating-policies', id, 'policy.yaml')),
      ),
    }),
    'kyverno-policies': () => ({
      side: 'kyverno-policies',
      policies: handKyverno.length,
      args: kyvernoApply(handKyverno),
    }),
    'palisade-gk': () => ({
      side: 'palisade-gk',
      policies: palisadeIds.length,
      args: gatorTest(gatekeeperFiles(palisadeIds)),
    }),
    'palisade-gk-matched': () => ({
      side: 'palisade-gk-matched',
      policies: gkMatched.length,
      args: gatorTest(gatekeeperFiles(gkMatched)),
    }),
    'gatekeeper-library': () => ({
      side: 'gatekeeper-library',
      policies: handGatekeeper.length / 2,
      args: gatorTest(handGatekeeper),
    }),
  };
  return sides.map((s) => all[s]());
}

/** Without Palisade's build (only hand-written sides), the restricted selection is every mapped policy but the baseline ones it supersedes. */
function palisadeIdsOrAll(ids: readonly string[]): string[] {
  if (ids.length > 0) return [...ids];
  const superseded = new Set(['disallow-capabilities', 'disallow-host-path', 'restrict-seccomp']);
  return Object.keys(EQUIVALENTS).filter((id) => !superseded.has(id));
}

function readdirIds(dir: string): string[] {
  return spawnSync('ls', [dir], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((s) => s !== '')
    .sort();
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  mkdirSync(root, { recursive: true });
  const list = jobs();
  const uptime = (spawnSync('uptime', { encoding: 'utf8' }).stdout ?? '').trim();
  const loadBefore = loadavg()[0] ?? 0;
  const rows: string[] = [];
  for (const job of list) {
    const engine = ENGINE_OF[job.side];
    const binary = enginePath(engine);
    const times: number[] = [];
    const cpu: number[] = [];
    let verdicts: Verdicts | undefined;
    for (let r = 0; r < runs; r++) {
      const run = await time(binary, job.args);
      const v = engine === 'kyverno' ? kyvernoVerdicts(run) : gatorVerdicts(run);
      if (
        verdicts !== undefined &&
        (v.denials !== verdicts.denials || v.objectsDenied !== verdicts.objectsDenied)
      )
        throw new Error(`${job.side}: verdicts changed between runs`);
      verdicts = v;
      times.push(run.ms);
      if (run.cpuMs !== undefined) cpu.push(run.cpuMs);
      process.stderr.write(`${job.side} run ${r + 1}/${runs}: ${seconds(run.ms)} s, ${v.denials} denials\n`);
    }
    times.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const cpuMedian = cpu.length === times.length ? seconds(cpu[Math.floor(cpu.length / 2)] ?? 0) : '–';
    const median = times[Math.floor(times.length / 2)] ?? 0;
    const what = engine === 'kyverno' ? `${count} Deployments` : `${count} Pods`;
    rows.push(
      `| \`${engine === 'kyverno' ? 'kyverno apply' : 'gator test'}\` | ${LABEL[job.side]} | ${job.policies} | ${what} | ` +
        `${seconds(times[0] ?? 0)} | **${seconds(median)}** | ${seconds(times[times.length - 1] ?? 0)} | ${cpuMedian} | ` +
        `${verdicts?.denials ?? 0} | ${verdicts?.objectsDenied ?? 0} |`,
    );
  }
  const expected = workloadCorpus(count, seed).filter((w) => w.findings.length > 0).length;
  const kyvernoVersion = readFileSync(join(repo, 'packages/kyverno/src/metadata.ts'), 'utf8').match(
    /KYVERNO_VERSION = '([^']+)'/,
  )?.[1];
  console.log(
    `Corpus: ${count} workloads (seed ${seed}), ${expected} with findings. Runs: ${runs}. Kyverno ${kyvernoVersion ?? '?'}.`,
  );
  console.log(
    `Load before: ${uptime} (1-min ${loadBefore.toFixed(2)}); after: ${(loadavg()[0] ?? 0).toFixed(2)}.`,
  );
  console.log('');
  console.log(
    '| engine | side | policies | objects | wall min s | wall median s | wall max s | CPU median s | denials | objects denied |',
  );
  console.log('| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) console.log(row);
}

await main();
