import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Shared by `scripts/engines.ts` (which builds) and `enginePath` (which finds), so both agree on where a
// given module's binary lives.

export const TOOLS = ['psa-oracle', 'gator', 'opa', 'kyverno', 'etcd', 'kube-apiserver'] as const;
export type Tool = (typeof TOOLS)[number];

export interface ToolPin {
  /** Upstream version, for the directory name and messages. */
  version: string;
  /** Go module directory, relative to the repository root. */
  module: string;
  /** Package to `go build` from inside the module directory. */
  package: string;
  /** Extra `go build -ldflags`, e.g. to stamp the version kube-apiserver reports on `/version`. */
  ldflags?: string;
}

export interface EngineLocation extends ToolPin {
  tool: Tool;
  /** Absolute module directory. */
  moduleDir: string;
  /** First 12 hex of sha256 over the module's go.mod, go.sum and .go sources. */
  hash: string;
  /** `<enginesDir>/<tool>-<version>-<hash>` */
  dir: string;
  /** The executable inside `dir`. */
  binary: string;
}

// src/ and dist/ sit at the same depth, so this resolves from either.
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const VERSIONS_FILE = join(REPO_ROOT, 'tools', 'versions.json');

export function isTool(name: string): name is Tool {
  return (TOOLS as readonly string[]).includes(name);
}

/** The cache lives outside the clone so fresh CI clones on the same machine reuse it. */
export function enginesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PALISADE_ENGINES_DIR) return env.PALISADE_ENGINES_DIR;
  const cache = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(cache, 'palisade', 'engines');
}

export function readPins(): Record<Tool, ToolPin> {
  const raw: unknown = JSON.parse(readFileSync(VERSIONS_FILE, 'utf8'));
  if (typeof raw !== 'object' || raw === null) throw new Error(`${VERSIONS_FILE}: expected an object`);
  const entries = raw as Record<string, unknown>;
  const pins: Partial<Record<Tool, ToolPin>> = {};
  for (const tool of TOOLS) {
    const pin = entries[tool];
    if (!isPin(pin)) throw new Error(`${VERSIONS_FILE}: "${tool}" needs string version, module and package`);
    pins[tool] = pin;
  }
  return pins as Record<Tool, ToolPin>;
}

function isPin(v: unknown): v is ToolPin {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as Record<string, unknown>;
  return (
    typeof p.version === 'string' &&
    typeof p.module === 'string' &&
    typeof p.package === 'string' &&
    (p.ldflags === undefined || typeof p.ldflags === 'string')
  );
}

/** Hashes what decides the binary: module files and sources, each with its path so renames count too. */
export function moduleHash(moduleDir: string, ldflags?: string): string {
  const files = (readdirSync(moduleDir, { recursive: true }) as string[])
    .filter((f) => f === 'go.mod' || f === 'go.sum' || f.endsWith('.go'))
    .map((f) => f.split(sep).join('/'))
    .sort();
  if (!files.includes('go.mod') || !files.includes('go.sum')) {
    throw new Error(`${moduleDir}: needs go.mod and go.sum (run \`go mod tidy\` there)`);
  }
  const h = createHash('sha256');
  // Link flags change the binary too; hashed only when set, so the other engines keep their directories.
  if (ldflags !== undefined) h.update('ldflags\0').update(ldflags).update('\0');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(moduleDir, f)))
      .update('\0');
  return h.digest('hex').slice(0, 12);
}

export function locateEngine(tool: Tool, pins: Record<Tool, ToolPin> = readPins()): EngineLocation {
  const pin = pins[tool];
  const moduleDir = join(REPO_ROOT, pin.module);
  const hash = moduleHash(moduleDir, pin.ldflags);
  const dir = join(enginesDir(), `${tool}-${pin.version}-${hash}`);
  return { tool, ...pin, moduleDir, hash, dir, binary: join(dir, tool) };
}

/** Absolute path of a built engine; throws, naming the command that builds it, when it is not built. */
export function enginePath(tool: Tool): string {
  const loc = locateEngine(tool);
  if (!existsSync(loc.binary)) {
    throw new Error(
      `engine ${tool} ${loc.version} is not built (expected ${loc.binary}); build it with: pnpm engines --only ${tool}`,
    );
  }
  return loc.binary;
}
