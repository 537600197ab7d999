/**
 * A pretty-printer for the CEL this package generates, so a reviewer can read it and no line of the YAML holding it
 * is long: an expression that fits in `width` stays on one line; a longer one is broken at its top-level `&&`,
 * `||`, ternary `?`/`:` (before the operator) and `,` (after it), and a bracketed group that still does not fit
 * is opened onto lines of its own, indented by two spaces. Only white space outside string literals changes, which
 * CEL ignores, so the expression means exactly what it did. A string literal longer than a line is split into
 * literals joined by `+` (never inside an escape sequence).
 */

type Node = { text: string } | { open: string; close: string; body: Node[] };

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '[?': ']', '{': '}' };
/** Longest string literal kept whole (escape sequences included). */
const LITERAL_CHUNK = 120;

/** Splits `expr` into atoms (runs of text, string literals kept whole), separators and bracket groups. */
function parse(expr: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { open: string }>; parent: Node[] }[] = [];
  let current = root;
  let text = '';
  const flush = () => {
    if (text !== '') current.push({ text });
    text = '';
  };
  for (let i = 0; i < expr.length; i++) {
    const ch = expr[i] as string;
    if (ch === '"' || ch === "'") {
      let j = i + 1;
      while (j < expr.length && expr[j] !== ch) j += expr[j] === '\\' ? 2 : 1;
      flush();
      current.push({ text: expr.slice(i, j + 1) });
      i = j;
    } else if (ch === '(' || ch === '[' || ch === '{') {
      const open = ch === '[' && expr[i + 1] === '?' ? '[?' : ch;
      flush();
      const node = { open, close: OPENERS[open] as string, body: [] as Node[] };
      current.push(node);
      stack.push({ node, parent: current });
      current = node.body;
      i += open.length - 1;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      flush();
      const top = stack.pop();
      if (top === undefined || top.node.close !== ch) throw new Error(`unbalanced CEL expression at ${i}`);
      current = top.parent;
    } else if (ch === ',' || ((ch === '&' || ch === '|') && expr[i + 1] === ch)) {
      flush();
      current.push({ text: ch === ',' ? ',' : ch + ch });
      if (ch !== ',') i++;
    } else if ((ch === '?' || ch === ':') && expr[i - 1] === ' ' && expr[i + 1] === ' ') {
      // A ternary's `?` and `:` (also a map literal's `:`, which is never broken: see `separatorsOf`).
      flush();
      current.push({ text: ch });
    } else text += ch;
  }
  flush();
  if (stack.length > 0) throw new Error('unbalanced CEL expression');
  return root;
}

const isSeparator = (node: Node, mapLiteral: boolean): boolean =>
  'text' in node &&
  (node.text === ',' ||
    node.text === '&&' ||
    node.text === '||' ||
    (!mapLiteral && (node.text === '?' || node.text === ':')));

/** A group's text, memoised: the printer asks for it at every level it considers breaking. */
const groupText = new WeakMap<Node, string>();

function text(node: Node): string {
  if ('text' in node) return node.text;
  let known = groupText.get(node);
  if (known === undefined) {
    known = `${node.open}${flat(node.body)}${node.close}`;
    groupText.set(node, known);
  }
  return known;
}

function flat(nodes: readonly Node[]): string {
  return nodes.map(text).join('');
}

/** A string literal as literals of at most LITERAL_CHUNK characters joined by `+`. */
function splitLiteral(literal: string): string[] {
  const quote = literal[0] as string;
  const inner = literal.slice(1, -1);
  const chunks: string[] = [];
  let chunk = '';
  for (let i = 0; i < inner.length; ) {
    let end = i + 1;
    if (inner[i] === '\\') {
      const kind = inner[i + 1];
      end = i + (kind === 'u' ? 6 : kind === 'U' ? 10 : kind === 'x' ? 4 : /[0-7]/.test(kind ?? '') ? 4 : 2);
    }
    if (chunk.length + (end - i) > LITERAL_CHUNK && chunk !== '') {
      chunks.push(`${quote}${chunk}${quote}`);
      chunk = '';
    }
    chunk += inner.slice(i, end);
    i = end;
  }
  chunks.push(`${quote}${chunk}${quote}`);
  return chunks;
}

/** Splits a sequence at its top-level separators: `,` stays at the end of its part, operators start theirs. */
function parts(nodes: readonly Node[], mapLiteral: boolean): Node[][] {
  const out: Node[][] = [[]];
  for (const node of nodes) {
    const last = out[out.length - 1] as Node[];
    if (!isSeparator(node, mapLiteral)) last.push(node);
    else if ('text' in node && node.text === ',') {
      last.push(node);
      out.push([]);
    } else out.push([node]);
  }
  return out.filter((p) => p.length > 0);
}

class Printer {
  readonly lines: string[] = [];
  constructor(readonly width: number) {}

  /** Lays `nodes` out from a fresh line at `indent`. */
  sequence(nodes: readonly Node[], indent: string, mapLiteral: boolean): void {
    const text = flat(nodes).trim();
    if (indent.length + text.length <= this.width) {
      if (text !== '') this.lines.push(indent + text);
      return;
    }
    const split = parts(nodes, mapLiteral);
    if (split.length > 1) {
      for (const part of split) this.sequence(part, indent, mapLiteral);
      return;
    }
    this.inline(nodes, indent);
  }

  /** One part too long for a line: its groups open onto lines of their own while the line would overflow. */
  inline(nodes: readonly Node[], indent: string): void {
    let line = indent;
    const push = (text: string) => {
      const trimmed = line.trimEnd();
      if (trimmed.trim() !== '') this.lines.push(trimmed);
      line = indent + text.trimStart();
    };
    nodes.forEach((node, i) => {
      const rest = nodes[i + 1] === undefined ? 0 : text(nodes[i + 1] as Node).length;
      if ('text' in node) {
        const long = line.length + node.text.length > this.width;
        if (long && /^\s*"/.test(node.text) && node.text.trim().length > LITERAL_CHUNK) {
          const [first, ...others] = splitLiteral(node.text.trim());
          line += `${/^\s/.test(node.text) && line.trim() !== '' ? ' ' : ''}${first}`;
          for (const chunk of others) push(`+ ${chunk}`);
        } else if (line.trim() === '') line += node.text.trimStart();
        else if (!long) line += node.text;
        else push(node.text);
        return;
      }
      const whole = text(node);
      if (line.length + whole.length + Math.min(rest, 20) <= this.width) {
        line += whole;
        return;
      }
      line += node.open;
      push('');
      this.sequence(node.body, `${indent}  `, node.open === '{');
      line = indent + node.close;
    });
    if (line.trim() !== '') this.lines.push(line.trimEnd());
  }
}

/** `expr` laid out on lines of at most about `width` characters (see the file comment). */
export function formatCel(expr: string, width = 120): string {
  if (expr.length <= width && !expr.includes('\n')) return expr;
  const printer = new Printer(width);
  printer.sequence(parse(expr), '', false);
  return printer.lines.join('\n');
}
