import type { IrCase } from './random-ir.js';

/**
 * Minimal cases the random-IR differential found against the CEL compiler (shrunk by hand), kept as regressions
 * for every CEL engine (gator and Kyverno). Each failed before its fix: at compile time in the engine (which
 * reports every resource as an error), or with the wrong verdict.
 */

const pods = [
  { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'a', image: 'reg/x' }] } },
  { apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: { template: { spec: { initContainers: [{ name: 'i', image: 'b' }] } } },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } } },
  },
  { apiVersion: 'v1', kind: 'Service', spec: { l: [{ m: [{ k: 1 }] }] } },
];

export const CEL_EDGE_CASES: readonly { name: string; case: IrCase }[] = [
  {
    // The precondition's pod expression is a chain of ternaries: `.?spec` after it bound into its last branch.
    name: 'a precondition ranging over containers',
    case: {
      rule: {
        when: {
          some: { var: 'y', in: { containers: true }, where: { defined: { get: 'y', path: ['name'] } } },
        },
        checks: [{ deny: { all: [] }, message: ['x'], field: '' }],
      },
      objects: pods,
      params: {},
    },
  },
  {
    // Containers were mapped through a `{}` literal, which typed them as maps: an index of one failed to compile.
    name: 'a list index of a container',
    case: {
      rule: {
        checks: [
          {
            forEach: [
              { var: 'c', in: { containers: true } },
              { var: 'd', in: { list: { get: 'c', path: [1] } } },
            ],
            deny: { all: [] },
            message: ['x'],
            field: '',
          },
        ],
      },
      objects: pods,
      params: {},
      exempt: ['b'],
    },
  },
  {
    // `x.?a[?0].orValue(null)` can type as null; `... ? read : []` then failed to compile.
    name: 'entries of a read through a list index',
    case: {
      rule: {
        checks: [
          {
            forEach: [
              { var: 'c', in: { list: { get: 'object', path: ['spec', 'l'] } } },
              { var: 'd', in: { entries: { get: 'c', path: ['m', 0] } } },
            ],
            deny: { all: [] },
            message: [{ get: 'd', path: ['key'] }],
            field: '',
          },
        ],
      },
      objects: pods,
      params: {},
    },
  },
  {
    // `string(dyn(null))`, even in a branch never taken, failed the whole message expression.
    name: 'concat of a literal null or an undefined read',
    case: {
      rule: {
        checks: [
          {
            forEach: [{ var: 'e', in: { entries: { get: 'object', path: ['spec'] } } }],
            deny: { all: [] },
            message: [
              'm ',
              { concat: [{ lit: null }] },
              { concat: [{ get: 'e', path: [0] }, { lit: 'a' }] },
              { concat: [{ lit: 'x' }, { lit: 'y' }] },
              { concat: [{ get: 'e', path: ['key'] }, { lit: '-' }, { param: 'p' }] },
            ],
            field: '',
          },
        ],
      },
      objects: pods,
      params: { p: 'v"\n' },
    },
  },
  {
    // Kyverno's match conditions and CEL preconditions cannot read variables, where the parameters were.
    name: 'a precondition reading a parameter',
    case: {
      rule: {
        when: { startsWith: [{ get: 'object', path: ['kind'] }, { param: 'kinds' }] },
        checks: [{ deny: { all: [] }, message: [{ param: 'kinds' }], field: '' }],
      },
      objects: pods,
      params: { kinds: ['Po', 'Cron', '"'] },
    },
  },
];
