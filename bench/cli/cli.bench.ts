/**
 * What users see: the built CLI, whole process, cold (a fresh `node` per run), on Deployments printed as each common
 * writer prints them (kubectl, helm, kustomize, PyYAML, flow style, a JSON List; see
 * policies/testing/manifest-writers.ts), with the restricted profile plus every hardening policy and `--format json`.
 * Reports min/median/max of wall time, CPU time (user + system, every thread and child) and peak RSS per input,
 * measured by GNU time around each process; also start-up (`--version`, one Deployment) and the README's
 * `pnpm palisade` form. See docs/performance.md, "What users see".
 *
 * Reproduce: `pnpm build && pnpm bench:cli` (knobs: `-- --count 10000 --runs 5 --styles kubectl,helm --seed 1
 * --dir /tmp/palisade-bench-cli --pnpm-style helm --no-pnpm`). The corpora, the params file and the exact command
 * lines are left in `--dir` to rerun by hand.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { hardeningPolicies } from '@palisade/policies';
import { WRITER_STYLES, type WriterStyle, writeCorpus, writerFileName } from '@palisade/testing';
import { stringify } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'apps', 'cli', 'dist', 'bin.js');
const GNU_TIME = '/usr/bin/time';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    count: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '5' },
    styles: { type: 'string', default: WRITER_STYLES.join(',') },
    seed: { type: 'string', default: '1' },
    dir: { type: 'string', default: '/tmp/palisade-bench-cli' },
    /** The corpus the `pnpm palisade` form is measured on. */
    'pnpm-style': { type: 'string', default: 'helm' },
    /** Skip the `pnpm palisade` form (its start-up alone is about 2 s a run). */
    'no-pnpm': { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const runs = Number(values.runs);
const seed = Number(values.seed);
const isStyle = (s: string): s is WriterStyle => (WRITER_STYLES as readonly string[]).includes(s);
const styles = values.styles.split(',').map((s) => s.trim());
for (const s of [...styles, values['pnpm-style']]) {
  if (!isStyle(s)) throw new Error(`unknown style "${s}": one of ${WRITER_STYLES.join(', ')}`);
}
if (!(count >= 1 && runs >= 1)) throw new Error('--count and --runs must be positive numbers');
if (!values['no-pnpm'] && !styles.includes(values['pnpm-style'])) {
  throw new Error(
    `--pnpm-style ${values['pnpm-style']} must be one of the measured --styles (or pass --no-pnpm)`,
  );
}

/** Parameters for the hardening policies that need them; checked against each policy's own schema below. */
const PARAMS: Record<string, unknown> = {
  'require-runtime-class': { runtimeClasses: ['gvisor'] },
  'restrict-image-registries': { registries: ['registry.example.com/'] },
};
for (const policy of hardeningPolicies) {
  const checked = policy.params?.safeParse(PARAMS[policy.id] ?? {});
  if (checked && !checked.success) {
    throw new Error(`the bench has no valid params for ${policy.id}: ${checked.error.message}`);
  }
}

function fail(message: string): never {
  console.error(`bench:cli: ${message}`);
  process.exit(2);
}

/** Measuring a child's CPU and peak RSS needs GNU time (`-f`, `-o`); BSD or shell `time` cannot. */
function checkGnuTime(): void {
  const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0 || !/^\d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '')) {
    fail(
      `GNU time is needed at ${GNU_TIME} to measure CPU and peak RSS of each process (apt-get install time)`,
    );
  }
}

/** Newest modification time under `dir` of files whose name passes `keep` (0 when none). */
function newest(dir: string, keep: (name: string) => boolean, skip: readonly string[] = []): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  const skipped = ['node_modules', ...skip].map((name) => join(dir, name));
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const inSkipped = skipped.some((s) => entry.parentPath === s || entry.parentPath.startsWith(`${s}/`));
    if (entry.isFile() && keep(entry.name) && !inSkipped && !entry.parentPath.includes('node_modules')) {
      latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return latest;
}

/** The built CLI must exist and be newer than the sources it is built from, or the figures are of other code. */
function checkBuilt(): void {
  if (!existsSync(CLI)) fail(`${relative(ROOT, CLI)} is missing: run \`pnpm build\` first`);
  const isSource = (name: string) =>
    name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');
  const packages = [
    ...readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p)),
    join(ROOT, 'apps', 'cli'),
  ];
  for (const dir of packages) {
    const dist = join(dir, 'dist');
    if (!existsSync(dist)) continue;
    if (newest(join(dir, 'src'), isSource) > newest(dist, (n) => n.endsWith('.js'))) {
      fail(`${relative(ROOT, dist)} is older than its sources: run \`pnpm build\` first`);
    }
  }
  // The catalogue has no src/: its sources are the policy folders (its test helpers are not built).
  const policies = join(ROOT, 'policies');
  if (
    newest(policies, isSource, ['dist', 'testing']) > newest(join(policies, 'dist'), (n) => n.endsWith('.js'))
  ) {
    fail('policies/dist is older than its sources: run `pnpm build` first');
  }
}

interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
}

/** Runs `command` once under GNU time, stdout to /dev/null (as `>/dev/null`), from the repository root. */
function measureOnce(command: readonly string[], stdoutFile?: string): Promise<Measurement> {
  const timeFile = join(values.dir, '.time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, ...command], {
      cwd: ROOT,
      stdio: ['ignore', stdoutFile === undefined ? 'ignore' : 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      if (stdoutFile !== undefined) writeFileSync(stdoutFile, Buffer.concat(out));
      const exitCode = code ?? -1;
      // validate exits 1 when a policy fails (the corpora have findings); anything else is an error to show.
      if (exitCode !== 0 && exitCode !== 1) {
        reject(new Error(`\`${command.join(' ')}\` exited ${exitCode}:\n${stderr.slice(0, 2000)}`));
        return;
      }
      // GNU time writes "Command exited with non-zero status 1" before the figures.
      const fields = readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
      const [user, system, rssKb] = fields;
      if (user === undefined || system === undefined || rssKb === undefined || fields.some(Number.isNaN)) {
        reject(new Error(`unreadable GNU time output in ${timeFile}`));
        return;
      }
      resolve({ wallSeconds, cpuSeconds: user + system, peakRssMb: rssKb / 1024, exitCode });
    });
  });
}

interface Row {
  input: string;
  form: string;
  bytes: number | undefined;
  manifests: number;
  runs: Measurement[];
}

const rows: Row[] = [];

async function measure(row: Omit<Row, 'runs'>, command: readonly string[]): Promise<void> {
  const measured: Measurement[] = [];
  for (let run = 0; run < runs; run++) measured.push(await measureOnce(command));
  rows.push({ ...row, runs: measured });
  const r = rows[rows.length - 1] as Row;
  console.error(`  ${r.input} (${r.form}): median ${median(r.runs.map((m) => m.wallSeconds)).toFixed(2)} s`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const spread = (xs: number[], digits: number) =>
  `${Math.min(...xs).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${Math.max(...xs).toFixed(digits)}`;

function table(): string {
  const lines = [
    '| input | form | size | wall s (min / median / max) | CPU s, user+sys (min / median / max) | peak RSS MB (min / median / max) | Deployments/s (median wall) |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const wall = row.runs.map((m) => m.wallSeconds);
    const size =
      row.bytes === undefined
        ? '—'
        : row.bytes < 1e5
          ? `${(row.bytes / 1e3).toFixed(1)} kB`
          : `${(row.bytes / 1e6).toFixed(1)} MB`;
    const rate = row.manifests > 1 ? Math.round(row.manifests / median(wall)).toLocaleString('en-US') : '—';
    lines.push(
      `| ${row.input} | ${row.form} | ${size} | ${spread(wall, 2)} | ${spread(
        row.runs.map((m) => m.cpuSeconds),
        2,
      )} | ${spread(
        row.runs.map((m) => m.peakRssMb),
        0,
      )} | ${rate} |`,
    );
  }
  return lines.join('\n');
}

function load(): string {
  const uptime = spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
  return `${uptime || 'uptime unavailable'} (os.loadavg ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`;
}

const summaryOf = (file: string): Record<string, number> => {
  const head = readFileSync(file, 'utf8').slice(0, 4096);
  const summary = /"summary":\s*(\{[^}]*\})/.exec(head)?.[1];
  if (summary === undefined) fail(`no summary at the start of ${file}`);
  return JSON.parse(summary) as Record<string, number>;
};

checkGnuTime();
checkBuilt();
mkdirSync(values.dir, { recursive: true });
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim();
const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
  cwd: ROOT,
  encoding: 'utf8',
}).stdout.trim().length;

// Inputs: every style's corpus, and one Deployment for start-up.
const paramsFile = join(values.dir, 'params.yaml');
writeFileSync(paramsFile, stringify(PARAMS));
const validateArgs = [
  'validate',
  '--profile',
  'restricted',
  ...hardeningPolicies.flatMap((p) => ['--policy', p.id]),
  '--params',
  paramsFile,
  '--format',
  'json',
];
const corpusFile = (style: WriterStyle, n: number) =>
  join(values.dir, `${n}-seed${seed}`, writerFileName(style));
const oneDeployment = corpusFile('helm', 1);
console.error(`writing corpora of ${count} Deployments (seed ${seed}) under ${values.dir} ...`);
for (const [style, n] of [['helm', 1] as const, ...styles.map((s) => [s as WriterStyle, count] as const)]) {
  const file = corpusFile(style, n);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, writeCorpus(style, n, seed));
}

const node = process.execPath;
const cliCommand = (file: string) => [node, CLI, ...validateArgs, file];
const pnpmCommand = (file: string) => ['pnpm', 'palisade', ...validateArgs, file];
const shell = (command: readonly string[]) =>
  `${command.map((part) => (part === node ? 'node' : part === CLI ? relative(ROOT, CLI) : part)).join(' ')} >/dev/null`;
const commands = [
  `node ${relative(ROOT, CLI)} --version >/dev/null`,
  shell(cliCommand(oneDeployment)),
  ...styles.map((s) => shell(cliCommand(corpusFile(s as WriterStyle, count)))),
];
writeFileSync(
  join(values.dir, 'commands.sh'),
  `# from the repository root (${ROOT})\n${commands.join('\n')}\n`,
);

// One untimed check run per input first: the CLI read every Deployment without an input error (and the page
// cache holds the CLI and the corpus, as it would on a second run by hand).
const perDeployment = (() => {
  const out = join(values.dir, 'check.json');
  return measureOnce(cliCommand(oneDeployment), out).then(() => {
    const s = summaryOf(out);
    return (s.pass ?? 0) + (s.fail ?? 0) + (s.warn ?? 0) + (s.skip ?? 0);
  });
})();
const resultsPerDeployment = await perDeployment;
/** Inputs the CLI refuses (a file over its size limit): reported as such instead of timed. */
const refused = new Map<string, string>();
for (const style of styles) {
  const out = join(values.dir, 'check.json');
  try {
    await measureOnce(cliCommand(corpusFile(style as WriterStyle, count)), out);
  } catch (error) {
    const limit = /file is larger than the [^\n]* limit/.exec(String(error))?.[0];
    if (limit === undefined) throw error;
    refused.set(style, limit);
    continue;
  }
  const s = summaryOf(out);
  const total = (s.pass ?? 0) + (s.fail ?? 0) + (s.warn ?? 0) + (s.skip ?? 0);
  if (s.inputErrors !== 0 || s.error !== 0 || total !== resultsPerDeployment * count || (s.fail ?? 0) === 0) {
    fail(`${style}: the CLI did not validate ${count} Deployments cleanly: ${JSON.stringify(s)}`);
  }
}
rmSync(join(values.dir, 'check.json'));

const loadBefore = load();
console.error(`measuring, ${runs} runs each ...`);
await measure({ input: '`--version`', form: 'built CLI', bytes: undefined, manifests: 0 }, [
  node,
  CLI,
  '--version',
]);
await measure(
  {
    input: 'one Deployment (start-up)',
    form: 'built CLI',
    bytes: statSync(oneDeployment).size,
    manifests: 1,
  },
  cliCommand(oneDeployment),
);
for (const style of styles) {
  const file = corpusFile(style as WriterStyle, count);
  if (refused.has(style)) continue;
  await measure(
    { input: `${style}`, form: 'built CLI', bytes: statSync(file).size, manifests: count },
    cliCommand(file),
  );
}
if (!values['no-pnpm']) {
  await measure({ input: '`--version`', form: '`pnpm palisade`', bytes: undefined, manifests: 0 }, [
    'pnpm',
    'palisade',
    '--version',
  ]);
  await measure(
    {
      input: 'one Deployment (start-up)',
      form: '`pnpm palisade`',
      bytes: statSync(oneDeployment).size,
      manifests: 1,
    },
    pnpmCommand(oneDeployment),
  );
  const file = corpusFile(values['pnpm-style'] as WriterStyle, count);
  if (refused.has(values['pnpm-style']))
    fail(`the CLI refused the --pnpm-style corpus (${values['pnpm-style']})`);
  await measure(
    { input: values['pnpm-style'], form: '`pnpm palisade`', bytes: statSync(file).size, manifests: count },
    pnpmCommand(file),
  );
}
const loadAfter = load();

console.log(
  [
    `- Whole process, cold (a fresh process per run), ${runs} runs each, ${count.toLocaleString('en-US')} Deployments ` +
      `(seed ${seed}), restricted + ${hardeningPolicies.length} hardening policies, \`--format json >/dev/null\`.`,
    `- Commit ${commit}${dirty > 0 ? ' (with uncommitted changes)' : ''}, Node ${process.version}, ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB.`,
    `- Load before: ${loadBefore}`,
    `- Load after: ${loadAfter}`,
    '',
    table(),
    ...[...refused].map(
      ([style, reason]) =>
        `| ${style} | built CLI | ${(statSync(corpusFile(style as WriterStyle, count)).size / 1e6).toFixed(1)} MB | refused: ${reason} | | | |`,
    ),
    '',
    `Corpora and the command lines (commands.sh) are in ${values.dir}.`,
  ].join('\n'),
);
