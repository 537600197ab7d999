import { spawn } from 'node:child_process';
import { enginePath } from '@palisade/engines';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the real Kyverno CLI (missing binary: enginePath throws, naming the command that builds it). */
export function kyverno(args: readonly string[]): Promise<CliRun> {
  const binary = enginePath('kyverno');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: Math.round(performance.now() - started),
      }),
    );
  });
}

export { pool } from '@palisade/testing';
