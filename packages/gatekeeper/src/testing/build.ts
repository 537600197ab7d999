import { type TargetInputRequest, targetInput } from '@palisade/testing';
import { buildGatekeeper, type GatekeeperOptions } from '../build.js';

/** `palisade build`'s Gatekeeper output for tests: configurations resolved and fixtures judged by the validator. */
export function buildGatekeeperForTest(input: TargetInputRequest & GatekeeperOptions): {
  files: Map<string, string>;
  problems: string[];
} {
  const { files, notes } = buildGatekeeper(targetInput(input), input);
  return { files, problems: notes };
}
