import type { Target } from '@palisade/core';
import { gatekeeperTarget } from '@palisade/gatekeeper';
import { kyvernoTarget } from '@palisade/kyverno';
import { vapTarget } from '@palisade/vap';
import { cliAuditTarget } from './audit-target.js';

/**
 * Every target `palisade build` writes, in output order: one line per target. Its folder under `--out`, the
 * usage text and the README's table of build output all come from here.
 */
export const TARGETS: readonly Target[] = [gatekeeperTarget, kyvernoTarget, vapTarget, cliAuditTarget];

/** Every generated path of every target (`<folder>/<path>`) with its description, in registry order. */
export const OUTPUT_PATHS: readonly { path: string; description: string }[] = TARGETS.flatMap((t) =>
  t.paths.map((p) => ({ path: `${t.folder}/${p.path}`, description: p.description })),
);

/** The README's table of build output (a test keeps the README equal to it). */
export function outputTable(): string {
  const rows = OUTPUT_PATHS.map((p) => [`\`${p.path}\``, p.description]);
  const widths = [0, 1].map((c) => Math.max(c === 0 ? 4 : 4, ...rows.map((r) => (r[c] as string).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  return [line(['path', 'what']), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
