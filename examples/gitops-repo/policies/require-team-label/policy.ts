import {
  all,
  check,
  defined,
  definePolicy,
  isUndefined,
  msg,
  not,
  object,
  oneOf,
  rule,
} from '@palisade/core';
import { z } from 'zod';

/** The team label of the resource itself (a controller's own label, not its pod template's). */
const team = object(['metadata', 'labels', 'example.com/team']);

/**
 * A policy of this repository's own, next to the catalogue ones: every workload names the team that owns it,
 * from a known list. `palisade.config.ts` selects it and gives the list.
 */
export default definePolicy({
  id: 'require-team-label',
  title: 'Require a Team Label',
  description: 'Every workload carries an example.com/team label naming one of the teams that own workloads.',
  severity: 'low',
  category: 'Ownership',
  remediation: 'Add the label example.com/team with your team name to metadata.labels.',
  match: { kinds: ['Pod'] },
  params: z.object({
    teams: z.array(z.string().min(1)).min(1).describe('Team names allowed in the example.com/team label'),
  }),
  rule: (p) =>
    rule([
      check({
        deny: isUndefined(team),
        message: ['resource must set the label example.com/team'],
        field: 'metadata.labels',
        fieldFrom: 'object',
      }),
      check({
        deny: all(defined(team), not(oneOf(team, p.teams))),
        message: msg`label example.com/team is "${team}", not one of: ${p.teams}`,
        field: 'metadata.labels',
        fieldFrom: 'object',
      }),
    ]),
});
