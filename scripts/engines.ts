// Builds the pinned engines (tools/versions.json) that are missing from the cache, then prints
// `tool<TAB>path` for each. Usage: pnpm engines [--only psa-oracle,gator]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  type EngineLocation,
  enginesDir,
  isTool,
  locateEngine,
  readPins,
  TOOLS,
  type Tool,
} from '../packages/engines/src/cache.js';

function parseOnly(argv: readonly string[]): Tool[] {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return [...TOOLS];
  const arg = argv[i] ?? '';
  const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1];
  const names = (value ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !isTool(n));
  if (names.length === 0 || unknown.length > 0) {
    throw new Error(`--only takes a comma-separated subset of: ${TOOLS.join(', ')} (got "${value ?? ''}")`);
  }
  return TOOLS.filter((t) => names.includes(t));
}

/** `go` on PATH, else the standard install location (non-login shells often lack it on PATH). */
function goBinary(): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, 'go')));
  return onPath || !existsSync('/usr/local/go/bin/go') ? 'go' : '/usr/local/go/bin/go';
}

/** versions.json is the pin people read; refuse to build if go.mod says otherwise. */
function checkPinned(loc: EngineLocation): void {
  const gomod = readFileSync(join(loc.moduleDir, 'go.mod'), 'utf8');
  if (!new RegExp(`\\s${loc.version.replace(/[.+]/g, '\\$&')}(\\s|$)`, 'm').test(gomod)) {
    throw new Error(
      `tools/versions.json pins ${loc.tool} ${loc.version} but ${loc.module}/go.mod does not require it`,
    );
  }
}

const tty = process.stderr.isTTY === true;

function progress(label: string): { stop(ok: boolean): number } {
  const start = Date.now();
  const secs = () => (Date.now() - start) / 1000;
  if (!tty) console.error(`building ${label}`);
  // On a TTY, one line redrawn every second; in a log, a heartbeat a minute so a long build looks alive.
  const timer = setInterval(
    () => {
      if (tty) process.stderr.write(`\r\x1b[Kbuilding ${label} ${Math.round(secs())}s`);
      else console.error(`still building ${label} (${Math.round(secs())}s)`);
    },
    tty ? 1000 : 60_000,
  );
  if (tty) process.stderr.write(`building ${label} 0s`);
  return {
    stop(ok) {
      clearInterval(timer);
      const s = secs();
      if (tty) process.stderr.write('\r\x1b[K');
      console.error(`${ok ? 'built' : 'FAILED'} ${label} in ${s.toFixed(1)}s`);
      return s;
    },
  };
}

function run(
  cmd: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    // CGO off: pure-Go static binaries, so no C toolchain is needed and the cache survives libc upgrades.
    const child = spawn(cmd, args, { cwd, env: { ...process.env, CGO_ENABLED: '0' } });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      output += d;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function build(loc: EngineLocation, go: string, label: string): Promise<void> {
  const root = enginesDir();
  mkdirSync(root, { recursive: true });
  // Build beside the final directory (same filesystem) and rename, so a half-built engine is never visible.
  const tmp = mkdtempSync(join(root, `.tmp-${loc.tool}-`));
  try {
    const p = progress(label);
    const ldflags = loc.ldflags === undefined ? [] : ['-ldflags', loc.ldflags];
    const args = [
      'build',
      '-trimpath',
      '-buildvcs=false',
      ...ldflags,
      '-o',
      join(tmp, loc.tool),
      loc.package,
    ];
    const { code, output } = await run(go, args, loc.moduleDir);
    const seconds = p.stop(code === 0);
    if (code !== 0) {
      throw new Error(`go ${args.join(' ')} (in ${loc.moduleDir}) exited with ${code}:\n${output}`);
    }
    const goVersion = (await run(go, ['env', 'GOVERSION'], loc.moduleDir)).output.trim();
    const meta = {
      tool: loc.tool,
      version: loc.version,
      package: loc.package,
      hash: loc.hash,
      goVersion,
      seconds,
    };
    writeFileSync(join(tmp, 'build.json'), `${JSON.stringify(meta, null, 2)}\n`);
    try {
      renameSync(tmp, loc.dir);
    } catch (err) {
      // Another run finished the same build first: its result is as good as ours.
      if (!existsSync(loc.binary)) throw err;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const tools = parseOnly(process.argv.slice(2));
  const pins = readPins();
  const go = goBinary();
  const built: EngineLocation[] = [];
  for (const [i, tool] of tools.entries()) {
    const loc = locateEngine(tool, pins);
    checkPinned(loc);
    const label = `[${i + 1}/${tools.length}] ${tool} ${loc.version}`;
    if (existsSync(loc.binary)) console.error(`cached ${label}`);
    else await build(loc, go, label);
    built.push(loc);
  }
  for (const loc of built) console.log(`${loc.tool}\t${loc.binary}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
