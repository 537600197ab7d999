import type { Binding, Check, CompilablePolicy, ContainerList } from '@palisade/core';
import { ALL_CONTAINER_LISTS, compileItems, containersOf } from './collections.js';
import { compileCond } from './conds.js';
import { celGlobRegex, globsToRe2 } from './glob.js';
import { celString } from './literal.js';
import { compileMessage } from './messages.js';
import { podExpression } from './pod.js';
import { bindBool, freshNames, type Scope, type VarRef, withVar } from './scope.js';
import { readPath } from './values.js';

export interface CelOptions {
  /** CEL expression of the admitted object, e.g. `object` (Kyverno, VAP) or `variables.anyObject` (Gatekeeper). */
  object: string;
  /**
   * CEL expression of the parameter object (a map from parameter name to value): e.g. `variables.params`, or a
   * literal built from data with `celLiteral`. Bind a literal to a variable rather than passing it here: this
   * expression is repeated at every parameter read.
   */
  params: string;
  /**
   * The parameter object where variables cannot be read (the precondition, a match condition): e.g. a literal
   * built from data with `celLiteral`. @default params
   */
  preconditionParams?: string;
  /**
   * Image exceptions: containers whose image matches one of these globs are not visited by `containers`
   * collections. Either literal globs, or a CEL expression evaluating to a list of glob strings at admission time
   * (e.g. Kyverno's `exceptions.allowedImages`), which is escaped by CEL string operations, never spliced.
   */
  exemptImages?: readonly string[] | { expression: string };
}

export interface CelVariable {
  name: string;
  expression: string;
}

export interface CelValidation {
  /** True when no binding of the check violates it. */
  expression: string;
  /** The check's violation messages for the offending bindings, de-duplicated, joined by "; ". */
  messageExpression: string;
}

export interface CompiledCel {
  /**
   * Variables the other expressions read as `variables.<name>`, in dependency order: `pod`, `podContainers` (when
   * used) and `violations<i>` (the list of messages of check i). Names never collide with Gatekeeper's `anyObject`
   * and `params`.
   */
  variables: CelVariable[];
  /** One validation per check, in check order. */
  validations: CelValidation[];
  /**
   * The whole result's message as the validator prints it: every violation message of every check, de-duplicated,
   * joined by "; ". For engines that report one message per policy.
   */
  messageExpression: string;
  /** The rule's `when`, when it has one: true when the policy applies. Reads no variables (match conditions can't). */
  precondition?: string;
}

/** Line breaks become spaces: Kubernetes replaces a multi-line messageExpression result by the static message. */
const singleLine = (expr: string): string => `${expr}.replace("\\n", " ")`;

function exemptTest(scope: Scope, exempt: CelOptions['exemptImages']): ((c: string) => string) | undefined {
  if (exempt === undefined) return undefined;
  if ('expression' in exempt) {
    return (c) =>
      bindBool(scope, readPath(c, true, ['image']), (image) => {
        const globs = scope.fresh();
        const g = scope.fresh();
        return `(type(${image}) == string && [${exempt.expression}].exists(${globs}, type(${globs}) == list && ${globs}.exists(${g}, type(${g}) == string && ${image}.matches(${celGlobRegex(g)}))))`;
      });
  }
  if (exempt.length === 0) return undefined;
  const re = celString(globsToRe2(exempt));
  return (c) =>
    bindBool(
      scope,
      readPath(c, true, ['image']),
      (image) => `(type(${image}) == string && ${image}.matches(${re}))`,
    );
}

/** The variable holding the pod's containers of `lists`: `podContainers` for every list, else named by its lists. */
function containersVariable(lists: readonly ContainerList[]): string {
  const all =
    lists.length === ALL_CONTAINER_LISTS.length && lists.every((l, i) => l === ALL_CONTAINER_LISTS[i]);
  if (all) return 'podContainers';
  return `pod${lists.map((l) => `${l[0]?.toUpperCase()}${l.slice(1)}`).join('And')}`;
}

/** Nested `forEach` bindings: `body` gets the scope with every binding variable bound. */
function nest(
  scope: Scope,
  bindings: readonly Binding[],
  leaf: (scope: Scope) => string,
  wrap: (items: string, name: string, inner: string, last: boolean) => string,
  sorted: boolean,
): string {
  const [first, ...rest] = bindings;
  if (!first) return leaf(scope);
  const name = scope.fresh();
  const items = compileItems(scope, first.in, sorted);
  const inner = nest(withVar(scope, first.var, items.bind(name)), rest, leaf, wrap, sorted);
  return wrap(items.range, name, inner, rest.length === 0);
}

/** The check's violation messages, one per offending binding (a list of strings). */
function compileCheck(scope: Scope, check: Check): string {
  const bindings = check.forEach ?? [];
  if (bindings.length === 0) {
    return `(${compileCond(scope, check.deny)} ? [${compileMessage(scope, check.message)}] : [])`;
  }
  // The innermost binding filters and maps at once; outer ones map to lists that are flattened afterwards.
  let deny = '';
  let message = '';
  const nested = nest(
    scope,
    bindings,
    (s) => {
      deny = compileCond(s, check.deny);
      message = compileMessage(s, check.message);
      return '';
    },
    (items, x, inner, last) =>
      last ? `${items}.map(${x}, ${deny}, ${message})` : `${items}.map(${x}, ${inner})`,
    true,
  );
  return `${nested}${'.flatten()'.repeat(bindings.length - 1)}`;
}

/**
 * Compiles a policy's rule to Kubernetes CEL with exactly the validator's semantics (packages/validator,
 * compile.ts). The expressions use only what both Kyverno's and Kubernetes' CEL environments provide (optional
 * types, the strings library, lists `distinct`/`flatten`/`sort` from Kubernetes 1.34's base environment), and never
 * raise an evaluation error on any JSON object.
 */
export function compileCel(policy: CompilablePolicy, options: CelOptions): CompiledCel {
  const { rule, match } = policy;
  const object: VarRef = { expr: options.object, map: true };
  const base: Scope = {
    vars: new Map([['object', object]]),
    params: options.params,
    fresh: freshNames(),
    containers: () => {
      throw new Error('containers read before the scope was set up');
    },
  };
  const exempt = exemptTest(base, options.exemptImages);
  const podInline = podExpression(options.object, match);

  const inline: Scope = {
    ...base,
    params: options.preconditionParams ?? options.params,
    vars: new Map([...base.vars, ['pod', { expr: `(${podInline})`, map: true }]]),
    // Parenthesised: the pod expression is a chain of ternaries, which a following `.?spec` would bind into.
    containers: (lists) => containersOf(inline, `(${podInline})`, lists, exempt),
  };
  // Each combination of container lists the checks read is one variable, built once and shared by the checks.
  const containerVariables = new Map<string, string>();
  const scope: Scope = {
    ...base,
    vars: new Map([...base.vars, ['pod', { expr: 'variables.pod', map: true }]]),
    containers: (lists) => {
      const name = containersVariable(lists);
      if (!containerVariables.has(name))
        containerVariables.set(name, containersOf(scope, 'variables.pod', lists, exempt));
      return `variables.${name}`;
    },
  };

  const checks = rule.checks.map((check) => compileCheck(scope, check));
  const variables: CelVariable[] = [
    { name: 'pod', expression: podInline },
    ...[...containerVariables].map(([name, expression]) => ({ name, expression })),
    ...checks.map((messages, i) => ({ name: `violations${i}`, expression: messages })),
  ];
  // A check holds when it has no violation message: reusing its variable rather than compiling the check a second
  // time halves the expression, and the Kyverno CLI and gator compile every policy once per resource.
  const validations: CelValidation[] = checks.map((_, i) => ({
    expression: `size(variables.violations${i}) == 0`,
    messageExpression: singleLine(`variables.violations${i}.distinct().join("; ")`),
  }));
  const all = rule.checks.map((_, i) => `variables.violations${i}`).join(' + ') || '[]';
  const compiled: CompiledCel = {
    variables,
    validations,
    messageExpression: singleLine(`(${all}).distinct().join("; ")`),
  };
  if (rule.when) compiled.precondition = compileCond(inline, rule.when);
  return compiled;
}
