/**
 * Long Rego lines broken for reviewers: a statement longer than `width` has its bracketed groups (call arguments,
 * arrays, objects) opened onto lines of their own, one element per line after each `,`, indented two spaces
 * deeper. Rego reads a line break inside brackets as white space, so the module means exactly what it did.
 * Comments and string literals are never broken.
 */

type Node = { text: string } | { open: string; close: string; body: Node[] };

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function parse(line: string): Node[] | undefined {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { open: string }>; parent: Node[] }[] = [];
  let current = root;
  let text = '';
  const flush = () => {
    if (text !== '') current.push({ text });
    text = '';
  };
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (ch === '"' || ch === '`') {
      let j = i + 1;
      while (j < line.length && line[j] !== ch) j += ch === '"' && line[j] === '\\' ? 2 : 1;
      text += line.slice(i, j + 1);
      i = j;
    } else if (ch === '#') return undefined;
    else if (ch in CLOSERS) {
      flush();
      const node = { open: ch, close: CLOSERS[ch] as string, body: [] as Node[] };
      current.push(node);
      stack.push({ node, parent: current });
      current = node.body;
    } else if (ch === ')' || ch === ']' || ch === '}') {
      flush();
      const top = stack.pop();
      if (top === undefined || top.node.close !== ch) return undefined;
      current = top.parent;
    } else if (ch === ',') {
      flush();
      current.push({ text: ',' });
    } else text += ch;
  }
  flush();
  return stack.length === 0 ? root : undefined;
}

const flat = (nodes: readonly Node[]): string =>
  nodes.map((n) => ('text' in n ? n.text : `${n.open}${flat(n.body)}${n.close}`)).join('');

function layout(nodes: readonly Node[], indent: string, width: number, out: string[]): void {
  const text = flat(nodes).trim();
  if (indent.length + text.length <= width) {
    if (text !== '') out.push(indent + text);
    return;
  }
  // One element per line after each top-level comma.
  const parts: Node[][] = [[]];
  for (const node of nodes) {
    (parts[parts.length - 1] as Node[]).push(node);
    if ('text' in node && node.text === ',') parts.push([]);
  }
  const nonEmpty = parts.filter((p) => p.length > 0);
  if (nonEmpty.length > 1) {
    for (const part of nonEmpty) layout(part, indent, width, out);
    return;
  }
  let line = indent;
  for (const node of nodes) {
    if ('text' in node) {
      line += line.trim() === '' ? node.text.trimStart() : node.text;
      continue;
    }
    const whole = `${node.open}${flat(node.body)}${node.close}`;
    if (line.length + whole.length <= width) {
      line += whole;
      continue;
    }
    out.push(`${line}${node.open}`);
    layout(node.body, `${indent}  `, width, out);
    line = indent + node.close;
  }
  if (line.trim() !== '') out.push(line.trimEnd());
}

/** `module` with every line longer than `width` broken inside its brackets (see the file comment). */
export function layoutRego(module: string, width = 120): string {
  return module
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const nodes = parse(line);
      if (nodes === undefined) return [line];
      const indent = /^\s*/.exec(line)?.[0] ?? '';
      const out: string[] = [];
      layout(nodes, indent, width, out);
      return out;
    })
    .join('\n');
}
