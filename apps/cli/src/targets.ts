import type { Target } from '@palisade/core';
import { gatekeeperTarget } from '@palisade/gatekeeper';
import { kyvernoTarget } from '@palisade/kyverno';

/**
 * Every target `palisade build` writes, in output order: one line per target. Its folder under `--out`, the
 * usage text and the README's table of build output all come from here.
 */
export const TARGETS: readonly Target[] = [gatekeeperTarget, kyvernoTarget];
