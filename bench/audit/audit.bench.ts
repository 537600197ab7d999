/**
 * `palisade audit` of a live cluster (issue 13, part 4): a real kube-apiserver + etcd from @palisade/kube-harness,
 * loaded with N generated, API-valid objects (`clusterCorpus`: Pods, every controller kind, Services,
 * ServiceAccounts) spread over `--namespaces` namespaces; then the BUILT CLI, a fresh process per run, as users run
 * it: `node apps/cli/dist/bin.js audit --kubeconfig K <selection> -o FILE [--write-reports --report-results M]`
 * (text output, as a CronJob prints it). Per size and selection: list + evaluate only (no --write-reports); then per
 * --report-results mode a first write (no report in the cluster: every report written) and a second with nothing
 * changed (every report unchanged). `all` lists every pass (what `validate --format policyreport` prints) and is run
 * up to `--all-max` objects only; `violations` lists the rest and counts the passes. Wall time around the process,
 * CPU time and peak RSS (VmHWM) from GNU `time -f`, objects/s end to end, and the reports' size in the cluster.
 * Sizes grow in one cluster (the first 10,000 objects of the 50,000 are the 10,000 run's). Goal: 50,000 objects in
 * under 60 s with peak RSS under 400 MB, RSS not growing with the object count beyond the reports' size. See
 * docs/performance.md, "Audit of a live cluster".
 *
 * Reproduce: `pnpm build && pnpm bench:audit` (knobs: `-- --counts 10000,50000 --namespaces 20 --concurrency 48
 * --seed 1 --selections restricted,hardening --report-results violations,all --all-max 10000
 * --node-options=--max-old-space-size=320 --dir /tmp/palisade-bench-audit`). The params file and text reports are
 * left in `--dir`; the cluster is stopped at the end (or on an error).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { type KubeCluster, startCluster } from '@palisade/kube-harness';
import { hardeningPolicies } from '@palisade/policies';
import { clusterCorpus, installReportCrds, REQUIRED_PARAMS } from '@palisade/testing';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'apps', 'cli', 'dist', 'bin.js');
const GNU_TIME = '/usr/bin/time';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    counts: { type: 'string', default: '10000,50000' },
    namespaces: { type: 'string', default: '20' },
    /** Creates in flight while loading (the harness's agent keeps at most 32 sockets; the rest queue there). */
    concurrency: { type: 'string', default: '48' },
    seed: { type: 'string', default: '1' },
    selections: { type: 'string', default: 'restricted,hardening' },
    /** The --report-results modes written, each from no reports (first) and again (second, nothing changed). */
    'report-results': { type: 'string', default: 'violations,all' },
    /** `all` lists every pass too: hundreds of MB of reports at 50,000 objects, so only up to this many objects. */
    'all-max': { type: 'string', default: '10000' },
    /** Node flags for the CLI only, e.g. the generated pod's `--max-old-space-size=320`. */
    'node-options': { type: 'string', default: '' },
    dir: { type: 'string', default: '/tmp/palisade-bench-audit' },
  },
});
const counts = values.counts
  .split(',')
  .map(Number)
  .sort((a, b) => a - b);
const namespaceCount = Number(values.namespaces);
const concurrency = Number(values.concurrency);
const seed = Number(values.seed);
if (!counts.every((n) => Number.isSafeInteger(n) && n >= 1)) throw new Error('--counts: positive integers');
if (!(namespaceCount >= 1 && concurrency >= 1))
  throw new Error('--namespaces and --concurrency must be positive');

const PARAMS_FILE = join(values.dir, 'params.json');
/** The two selections measured: the profile alone, and the profile plus every hardening policy (with params). */
const SELECTIONS: Record<string, readonly string[]> = {
  restricted: ['--profile', 'restricted'],
  hardening: [
    '--profile',
    'restricted',
    '--policy',
    hardeningPolicies.map((p) => p.id).join(','),
    '--params',
    PARAMS_FILE,
  ],
};
const selections = values.selections.split(',').map((s) => s.trim());
const reportModes = values['report-results'].split(',').map((s) => s.trim());
for (const mode of reportModes)
  if (mode !== 'all' && mode !== 'violations')
    throw new Error(`--report-results: all or violations, not "${mode}"`);
const allMax = Number(values['all-max']);
for (const s of selections) {
  if (!(s in SELECTIONS))
    throw new Error(`unknown selection "${s}": one of ${Object.keys(SELECTIONS).join(', ')}`);
}

function fail(message: string): never {
  console.error(`bench:audit: ${message}`);
  process.exit(2);
}

/** Peak RSS of a child needs GNU time (`-f %M`, `-o`): Node reports no rusage of one child, only of all children. */
function checkGnuTime(): void {
  const probe = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0 || !/^\d+\s*$/.test(probe.stderr.trim().split('\n').pop() ?? '')) {
    fail(`GNU time is needed at ${GNU_TIME} to measure the CLI's CPU and peak RSS (apt-get install time)`);
  }
}

/** Newest modification time of the TypeScript sources (tests aside) under `dir`, or of the .js files. */
function newest(dir: string, js: boolean): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.parentPath.includes('node_modules')) continue;
    const wanted = js
      ? entry.name.endsWith('.js')
      : entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts');
    if (wanted) latest = Math.max(latest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** The figures must be of the code in the tree: the built CLI and the packages the audit runs must be fresh. */
function checkBuilt(): void {
  if (!existsSync(CLI)) fail(`${relative(ROOT, CLI)} is missing: run \`pnpm build\` first`);
  const dirs = [
    ...readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p)),
    join(ROOT, 'apps', 'cli'),
  ];
  for (const dir of dirs) {
    const dist = join(dir, 'dist');
    if (existsSync(dist) && newest(join(dir, 'src'), false) > newest(dist, true)) {
      fail(`${relative(ROOT, dist)} is older than its sources: run \`pnpm build\` first`);
    }
  }
}

/** Runs `fn` over `items`, `width` at a time. */
async function pool<T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

interface Load {
  objects: number;
  seconds: number;
  refused: string[];
}

/** Creates the objects, `concurrency` in flight; the API server refusing one is counted, not fatal. */
async function load(cluster: KubeCluster, objects: readonly Record<string, unknown>[]): Promise<Load> {
  const started = performance.now();
  const refused: string[] = [];
  let done = 0;
  await pool(objects, concurrency, async (object) => {
    const res = await cluster.create(object, { fieldValidation: 'Ignore' });
    if (res.status !== 201) {
      const metadata = object.metadata as { name?: string };
      refused.push(
        `${String(object.kind)} ${metadata.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
      );
    }
    if (++done % 5000 === 0) process.stderr.write(`bench:audit: created ${done}/${objects.length}\n`);
  });
  return { objects: objects.length, seconds: (performance.now() - started) / 1000, refused };
}

const REPORTS = ['policyreports', 'clusterpolicyreports'].map((r) => `/apis/wgpolicyk8s.io/v1alpha2/${r}`);

interface ReportItem {
  metadata: { name: string; namespace?: string };
  results?: unknown[];
}

/** The reports in the cluster: how many, their results and their size as JSON. */
async function reportsInCluster(
  cluster: KubeCluster,
): Promise<{ reports: number; results: number; bytes: number }> {
  let reports = 0;
  let results = 0;
  let bytes = 0;
  for (const path of REPORTS) {
    const res = await cluster.request<{ items: ReportItem[] }>({ method: 'GET', path, timeoutMs: 120_000 });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    for (const item of res.body.items) {
      reports++;
      results += item.results?.length ?? 0;
      bytes += Buffer.byteLength(JSON.stringify(item));
    }
  }
  return { reports, results, bytes };
}

/** Deletes every report, so the next --write-reports writes them all (a first audit). */
async function deleteReports(cluster: KubeCluster): Promise<void> {
  for (const collection of REPORTS) {
    const res = await cluster.request<{ items: ReportItem[] }>({
      method: 'GET',
      path: collection,
      timeoutMs: 120_000,
    });
    await pool(res.body.items, 8, async ({ metadata }) => {
      const path =
        metadata.namespace === undefined
          ? `${collection}/${metadata.name}`
          : collection.replace(/\/([a-z]+)$/, `/namespaces/${metadata.namespace}/$1`) + `/${metadata.name}`;
      const del = await cluster.request({ method: 'DELETE', path });
      if (del.status !== 200 && del.status !== 404) throw new Error(`DELETE ${path}: ${del.status}`);
    });
  }
}

interface Measurement {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  exitCode: number;
  stderr: string;
}

/** Runs the CLI once under GNU time from the repository root. */
function measure(args: readonly string[]): Promise<Measurement> {
  const timeFile = join(values.dir, '.time');
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const node = values['node-options'] === '' ? [] : values['node-options'].split(' ');
    const child = spawn(
      GNU_TIME,
      ['-f', '%U %S %M', '-o', timeFile, process.execPath, ...node, CLI, ...args],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - started) / 1000;
      const exitCode = code ?? -1;
      // audit exits 1 when a policy fails (the corpus has findings); anything else is an error to show.
      if (exitCode !== 0 && exitCode !== 1) {
        reject(new Error(`palisade ${args.join(' ')} exited ${exitCode}:\n${stderr.slice(0, 2000)}`));
        return;
      }
      const [user, system, rssKb] =
        readFileSync(timeFile, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) ?? [];
      resolve({
        wallSeconds,
        cpuSeconds: (user ?? 0) + (system ?? 0),
        peakRssMb: (rssKb ?? 0) / 1024,
        exitCode,
        stderr,
      });
    });
  });
}

interface Row {
  objects: number;
  selection: string;
  run: string;
  m: Measurement;
  results: number;
  reportsLine: string;
}

const rows: Row[] = [];
const loads: Load[] = [];
const reportSizes: {
  objects: number;
  selection: string;
  run: string;
  reports: number;
  results: number;
  bytes: number;
}[] = [];

/** Results counted by the text report's summary line (failed, warnings, passed, skipped, and input errors). */
function resultsIn(file: string): number {
  const text = readFileSync(file, 'utf8');
  const summary = /(\d+) failed, (\d+) warnings?, (\d+) passed, (\d+) skipped/.exec(text);
  if (summary === null) throw new Error(`${file}: no summary line`);
  return summary.slice(1).reduce((sum, n) => sum + Number(n), 0);
}

async function main(): Promise<void> {
  checkGnuTime();
  checkBuilt();
  mkdirSync(values.dir, { recursive: true });
  writeFileSync(PARAMS_FILE, JSON.stringify(REQUIRED_PARAMS));
  const max = counts[counts.length - 1] as number;
  const namespaces = Array.from({ length: namespaceCount }, (_, i) => `bench-${String(i).padStart(2, '0')}`);
  const corpus = clusterCorpus(max, seed, namespaces);

  const cluster = await startCluster();
  try {
    for (const name of namespaces)
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    await installReportCrds(cluster, 'wgpolicyk8s');
    const kubeconfig = cluster.admin.kubeconfig;
    let loaded = 0;
    for (const count of counts) {
      const l = await load(cluster, corpus.slice(loaded, count));
      loads.push(l);
      loaded = count;
      process.stderr.write(
        `bench:audit: loaded ${l.objects} objects in ${l.seconds.toFixed(1)} s (${l.refused.length} refused)\n`,
      );
      if (l.refused.length > 0) fail(`the API server refused objects:\n${l.refused.slice(0, 10).join('\n')}`);

      for (const selection of selections) {
        // Text, as a CronJob prints it: its summary line counts every result (the JSON of 50,000 objects' results
        // would be hundreds of MB of output, measured as much as the audit).
        const out = join(values.dir, `audit-${count}-${selection}.txt`);
        const base = ['audit', '--kubeconfig', kubeconfig, ...(SELECTIONS[selection] ?? []), '-o', out];
        const runs: [string, readonly string[], boolean][] = [['list + evaluate', base, false]];
        for (const mode of reportModes) {
          if (mode === 'all' && count > allMax) continue;
          const write = [...base, '--write-reports', '--report-results', mode];
          runs.push([`first write (${mode})`, write, true], [`second write (${mode}, no-op)`, write, false]);
        }
        for (const [run, args, fresh] of runs) {
          if (fresh) await deleteReports(cluster);
          process.stderr.write(`bench:audit: ${count} objects, ${selection}: ${run}\n`);
          const m = await measure(args);
          const reportsLine = /palisade: reports: (.*)/.exec(m.stderr)?.[1] ?? '-';
          rows.push({ objects: count, selection, run, m, results: resultsIn(out), reportsLine });
          if (run.startsWith('second'))
            reportSizes.push({ objects: count, selection, run, ...(await reportsInCluster(cluster)) });
        }
      }
    }
  } finally {
    await cluster.stop();
  }
}

await main();

const fmt = (n: number, digits = 1) => n.toFixed(digits);
console.log(
  `\nkube-apiserver ${'v1.36.3'} + etcd (@palisade/kube-harness), ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (at the end)\n`,
);
console.log('| objects loaded | seconds | objects/s |');
console.log('| -------------: | ------: | --------: |');
for (const l of loads) console.log(`| ${l.objects} | ${fmt(l.seconds)} | ${fmt(l.objects / l.seconds, 0)} |`);
console.log('\n| objects | selection | run | wall s | objects/s | CPU s | peak RSS MB | results | reports |');
console.log('| ------: | --------- | --- | -----: | --------: | ----: | ----------: | ------: | ------- |');
for (const r of rows) {
  console.log(
    `| ${r.objects} | ${r.selection} | ${r.run} | ${fmt(r.m.wallSeconds, 2)} | ${fmt(r.objects / r.m.wallSeconds, 0)} | ${fmt(r.m.cpuSeconds, 2)} | ${fmt(r.m.peakRssMb, 0)} | ${r.results} | ${r.reportsLine} |`,
  );
}
console.log('\n| objects | selection | after | reports in the cluster | results in them | their JSON MB |');
console.log('| ------: | --------- | ----- | ---------------------: | --------------: | ------------: |');
for (const s of reportSizes) {
  console.log(
    `| ${s.objects} | ${s.selection} | ${s.run} | ${s.reports} | ${s.results} | ${fmt(s.bytes / 2 ** 20)} |`,
  );
}
