import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readPins, type Tool } from './cache.js';

let modCache: string | undefined;

/** `go env GOMODCACHE`, once per process (the Go toolchain is required anyway to build the engines). */
function goModCache(): string {
  if (modCache === undefined) {
    try {
      modCache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    } catch (error) {
      throw new Error(`cannot run \`go env GOMODCACHE\` (is Go installed?): ${String(error)}`);
    }
  }
  return modCache;
}

/** The module cache escapes upper-case letters as `!` + lower case (golang.org/x/mod/module.EscapePath). */
const escapePath = (path: string) => path.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);

/**
 * The source directory of a Go module at the version an engine's wrapper module pins (its `require` line in
 * tools/<tool>/go.mod), in the module cache `pnpm engines` fills. For reading upstream files (CRDs) at exactly
 * the engine's version; throws naming `pnpm engines` when the module is not downloaded.
 */
export function pinnedModuleDir(tool: Tool, modulePath: string): { dir: string; version: string } {
  const pin = readPins()[tool];
  const goMod = readFileSync(join(import.meta.dirname, '..', '..', '..', pin.module, 'go.mod'), 'utf8');
  const escaped = modulePath.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const version = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod)?.[1];
  if (!version) throw new Error(`${pin.module}/go.mod does not require ${modulePath}`);
  const dir = join(goModCache(), `${escapePath(modulePath)}@${version}`);
  if (!existsSync(dir)) {
    throw new Error(
      `Go module ${modulePath}@${version} is not in the module cache (${dir}); download it with: pnpm engines --only ${tool}`,
    );
  }
  return { dir, version };
}
