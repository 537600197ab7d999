import { yamlOptions } from '@palisade/yaml';
import {
  Composer,
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Node,
  Parser,
  visit,
  type YAMLError,
} from 'yaml';

/**
 * The reference YAML parser (`yaml`) as the manifest reader uses it: composing documents, and placing its errors
 * where the problem is.
 */

/** Composes YAML text with the reference parser, one document at a time. */
export function composeYaml(text: string): Generator<Document.Parsed> {
  return new Composer(yamlOptions).compose(new Parser().parse(text));
}

/** The first node (in document order) of a document that `found` picks, or undefined. */
function findNode(doc: Document.Parsed, found: (node: Node) => boolean): Node | undefined {
  let match: Node | undefined;
  const check = (_key: unknown, node: Node) => {
    if (!found(node)) return undefined;
    match = node;
    return visit.BREAK;
  };
  visit(doc, { Alias: check, Scalar: check, Map: check, Seq: check });
  return match;
}

/**
 * Where a syntax error is, as an offset in the parsed text. The reference reports an unclosed quoted scalar or
 * flow collection where it gave up, at the end of what it swallowed (often the rest of the document): the error is
 * where the scalar or collection opens. An over-indented line under a scalar value (`a: 1\n  b: 2`) is reported at
 * the value on the line above; the error is the `:` that made the value a key spanning two lines.
 */
export function syntaxErrorOffset(doc: Document.Parsed, error: YAMLError): number {
  const [at, end] = error.pos;
  if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) {
    const opening = findNode(
      doc,
      (node) => isScalar(node) && node.range?.[1] === at && /^QUOTE_/.test(node.type ?? ''),
    );
    if (opening?.range) return opening.range[0];
  }
  if (/^Flow (sequence|map)\b/.test(error.message)) {
    const opening = findNode(
      doc,
      (node) => (isMap(node) || isSeq(node)) && node.flow === true && node.range?.[1] === at,
    );
    if (opening?.range) return opening.range[0];
  }
  if (error.code === 'BLOCK_AS_IMPLICIT_KEY') {
    const multiline = doc.errors.find((e) => e.code === 'MULTILINE_IMPLICIT_KEY' && e.pos[0] === at);
    if (multiline) return multiline.pos[1];
  }
  return error.code === 'MULTILINE_IMPLICIT_KEY' ? end : at;
}

/**
 * Where an error found while turning a document into values (an alias to no anchor, an alias bomb) is: the first
 * alias that resolves to nothing, else the first alias, else the document's content.
 */
export function valueErrorOffset(doc: Document.Parsed, contentOffset: number): number {
  const unresolved = findNode(doc, (node) => isAlias(node) && node.resolve(doc) === undefined);
  const alias = unresolved ?? findNode(doc, (node) => isAlias(node));
  return alias?.range?.[0] ?? contentOffset;
}
