import { type TargetInputRequest, targetInput } from '@palisade/testing';
import type { Versions } from '../metadata.js';
import { buildKyverno } from '../output.js';

/** `palisade build`'s Kyverno output for tests: configurations resolved and fixtures judged by the validator. */
export function buildKyvernoForTest(input: TargetInputRequest & Partial<Versions>): {
  files: Map<string, string>;
  problems: string[];
} {
  const { files, notes } = buildKyverno(targetInput(input), input);
  return { files, problems: notes };
}
