import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { enginePath } from './cache.js';

export type PsaLevel = 'privileged' | 'baseline' | 'restricted';
export type PsaVersion = 'latest' | `v1.${number}`;

export interface PsaOracleOptions {
  levels: readonly PsaLevel[];
  versions: readonly PsaVersion[];
}

/** One failing upstream check. `id` is upstream's check id (see PSA_CHECK_TO_POLICY). */
export interface OracleCheck {
  id: string;
  reason: string;
  detail: string;
}

export interface OracleLevelResult {
  level: PsaLevel;
  version: PsaVersion;
  allowed: boolean;
  /** Failing checks only, in upstream's evaluation order. */
  checks: OracleCheck[];
}

/** Per input pod, in input order: its verdicts at every level×version, or why it did not decode as a Pod. */
export type OracleResult = { index: number; results: OracleLevelResult[] } | { index: number; error: string };

// Lines are grouped into chunks of about this size: one write per pod costs more than the oracle's work.
const CHUNK = 1 << 20;

function* jsonLines(pods: readonly object[]): Generator<string> {
  let buf = '';
  for (const pod of pods) {
    // JSON.stringify never emits a raw newline, so one pod is exactly one line.
    buf += `${JSON.stringify(pod)}\n`;
    if (buf.length >= CHUNK) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function parseLine(line: string): OracleResult {
  const v: unknown = JSON.parse(line);
  if (typeof v === 'object' && v !== null) {
    const r = v as Record<string, unknown>;
    if (typeof r.index === 'number' && (typeof r.error === 'string' || Array.isArray(r.results))) {
      return v as OracleResult;
    }
  }
  throw new Error(`psa-oracle: unexpected output line: ${line.slice(0, 200)}`);
}

/**
 * Evaluates pods with the upstream PSA evaluator (the `psa-oracle` engine) at every level×version in one run.
 * Throws if the engine is not built, exits non-zero, or answers with the wrong number of lines.
 */
export async function runPsaOracle(pods: readonly object[], opts: PsaOracleOptions): Promise<OracleResult[]> {
  const args = ['-levels', opts.levels.join(','), '-versions', opts.versions.join(',')];
  const child = spawn(enginePath('psa-oracle'), args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  const read = (async () => {
    const out: OracleResult[] = [];
    for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
      out.push(parseLine(line));
    }
    return out;
  })();
  // A child that dies early breaks the pipe (EPIPE); its exit status and stderr explain why, so report those.
  const written = pipeline(Readable.from(jsonLines(pods)), child.stdin).catch(() => undefined);

  const [results, code] = await Promise.all([read, exited, written]);
  if (code !== 0) throw new Error(`psa-oracle exited with code ${code}: ${stderr.trim()}`);
  if (results.length !== pods.length) {
    throw new Error(`psa-oracle answered ${results.length} lines for ${pods.length} pods`);
  }
  return results;
}
