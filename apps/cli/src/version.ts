import { createRequire } from 'node:module';

/** The CLI's version, from its package.json (one level above both src/ and dist/). */
export function cliVersion(): string {
  const manifest: unknown = createRequire(import.meta.url)('../package.json');
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}
