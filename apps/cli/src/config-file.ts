import { existsSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { configSchema, type PalisadeConfig, type PolicyException } from '@palisade/core';
import { printable } from '@palisade/validator';
import { z } from 'zod';
import { loadExceptionFiles } from './exceptions-file.js';
import { UsageError } from './io.js';

/**
 * Reads `--config FILE`: a `palisade.config.ts` (or `.mts`, `.js`, `.mjs`) whose default export is a
 * `defineConfig({...})`. TypeScript is loaded through tsx's loader API, as vite and vitest load their configs, so
 * the built CLI reads TypeScript configs without a separate compile step. Loading a configuration executes it:
 * it is a program, to be used only from a trusted repository. Its selection is resolved in selection.ts.
 */

export interface LoadedConfig {
  file: string;
  config: PalisadeConfig;
  exceptions: PolicyException[];
  /** Fixture folders of the project's own policies, resolved against the configuration file. */
  fixtureDirs: Map<string, string>;
}

const EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);

async function importConfig(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  const ext = extname(file);
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return import(url);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(url, import.meta.url);
}

export async function loadConfigFile(path: string, maxFileSize: number): Promise<LoadedConfig> {
  const file = resolve(path);
  if (!EXTENSIONS.has(extname(file))) {
    throw new UsageError(`--config ${path}: use a .ts, .mts, .js or .mjs file exporting defineConfig({...})`);
  }
  if (!existsSync(file)) throw new UsageError(`--config ${path}: no such file`);
  let module: unknown;
  try {
    module = await importConfig(file);
  } catch (error) {
    throw new UsageError(`--config ${path}: cannot load it: ${printable(errorText(error))}`);
  }
  let config = (module as { default?: unknown }).default;
  // A config compiled as CommonJS (outside a `"type": "module"` package) arrives as `{ default: config }`.
  if (
    isObject(config) &&
    'default' in config &&
    Object.keys(config).every((k) => k === 'default' || k === '__esModule')
  ) {
    config = config.default;
  }
  const parsed = configSchema.safeParse(config);
  if (!parsed.success) {
    throw new UsageError(
      `--config ${path}: its default export is not a valid configuration:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const typed = config as PalisadeConfig;
  const base = dirname(file);
  const loaded = await loadExceptionFiles(
    (typed.exceptions ?? []).map((f) => resolve(base, f)),
    maxFileSize,
  );
  if (loaded.errors.length > 0) {
    throw new UsageError(
      `invalid exceptions in --config ${path}:\n  ${loaded.errors.map(printable).join('\n  ')}`,
    );
  }
  const fixtureDirs = new Map(
    Object.entries(typed.fixtures ?? {}).map(([id, dir]) => [id, resolve(base, dir)]),
  );
  for (const id of fixtureDirs.keys()) {
    if (!(typed.policies ?? []).some((p) => p.id === id)) {
      throw new UsageError(
        `--config ${path}: fixtures names "${id}", which is not one of the config's policies`,
      );
    }
  }
  return { file, config: typed, exceptions: loaded.exceptions, fixtureDirs };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
