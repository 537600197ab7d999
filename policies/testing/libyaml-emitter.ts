/**
 * A block-style YAML emitter that lays a JSON-like value out exactly as libyaml's emitter does — the emitter that
 * go-yaml (v2 and v3, a Go port of libyaml) and PyYAML (libyaml's origin) share — for the subset of values a
 * Kubernetes manifest holds (mappings with string keys, sequences, strings, integers, booleans, null).
 *
 * Why not the `yaml` package or js-yaml: neither reproduces libyaml's layout. Both fold long strings *before* a line
 * exceeds the width (libyaml writes a word and breaks at the next space once the column is past 80), js-yaml writes
 * long strings as `>-` folded scalars, and neither quotes the strings go-yaml or PyYAML quote (a YAML 1.1 resolver:
 * `yes`, `on`, timestamps, base-60 numbers). The writer-style corpora exist to catch readers that only accept one
 * writer's layout, so the layout has to be the real one, not an approximation.
 *
 * Ported from go-yaml v2.4.0 `emitterc.go` (yaml_emitter_analyze_scalar, yaml_emitter_select_scalar_style,
 * yaml_emitter_write_{plain,single_quoted,double_quoted,literal}_scalar, yaml_emitter_increase_indent,
 * yaml_emitter_write_indent); PyYAML 6.0's `emitter.py` is the same algorithm.
 */

export interface LibyamlDialect {
  /** The order keys are written in; `path` is the keys from the document root to this mapping. */
  orderKeys: (keys: string[], path: readonly string[]) => string[];
  /** Would this string, written plain, read back as something other than a string (so it must be quoted)? */
  resolvesToNonString: (value: string) => boolean;
  /** The quote a string that must not be plain gets: go-yaml `"`, PyYAML `'` (each falls back as libyaml does). */
  ambiguousQuote: '"' | "'";
  /** libyaml's `best_width`: 80 for go-yaml v2 and PyYAML; go-yaml v3 (kyaml) does not fold. */
  bestWidth: number;
  /** Strings with line breaks: go-yaml writes a `|` literal block; PyYAML a quoted scalar (not modelled: throws). */
  multiline: 'literal' | 'unsupported';
}

const BEST_INDENT = 2;

interface ScalarAnalysis {
  multiline: boolean;
  blockPlainAllowed: boolean;
  singleQuotedAllowed: boolean;
  blockAllowed: boolean;
}

/** yaml_emitter_analyze_scalar, for block context (flow-only flags dropped). */
function analyzeScalar(value: string): ScalarAnalysis {
  if (value.length === 0) {
    return { multiline: false, blockPlainAllowed: true, singleQuotedAllowed: true, blockAllowed: false };
  }
  let blockIndicators = value.startsWith('---') || value.startsWith('...');
  let specialCharacters = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const next = value[i + 1];
    const followedByWhitespace = next === undefined || next === ' ' || next === '\t' || next === '\n';
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) blockIndicators = true;
      else if ((ch === '?' || ch === ':' || ch === '-') && followedByWhitespace) blockIndicators = true;
    } else if (ch === ':' && followedByWhitespace) blockIndicators = true;
    else if (ch === '#' && precededByWhitespace) blockIndicators = true;
    const code = ch.charCodeAt(0);
    if (!(code === 0x0a || (code >= 0x20 && code <= 0x7e))) specialCharacters = true;
    if (ch === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === value.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (ch === '\n') {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === value.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = ch === ' ' || ch === '\t' || ch === '\n';
  }
  let blockPlainAllowed = true;
  let singleQuotedAllowed = true;
  let blockAllowed = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlainAllowed = false;
  if (trailingSpace) blockAllowed = false;
  if (breakSpace) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
  }
  if (spaceBreak || specialCharacters) {
    blockPlainAllowed = false;
    singleQuotedAllowed = false;
    blockAllowed = false;
  }
  if (lineBreaks || blockIndicators) blockPlainAllowed = false;
  return { multiline: lineBreaks, blockPlainAllowed, singleQuotedAllowed, blockAllowed };
}

type Style = 'plain' | "'" | '"' | '|';

/** The emitter's state, as libyaml keeps it: where the cursor is and what was last written. */
class Writer {
  readonly chunks: string[] = [];
  column = 0;
  whitespace = true;
  indention = true;

  constructor(private readonly bestWidth: number) {}

  put(text: string): void {
    this.chunks.push(text);
    this.column += text.length;
  }

  newline(): void {
    this.chunks.push('\n');
    this.column = 0;
  }

  writeIndent(indent: number): void {
    const target = Math.max(indent, 0);
    if (!this.indention || this.column > target || (this.column === target && !this.whitespace))
      this.newline();
    if (this.column < target) this.put(' '.repeat(target - this.column));
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
  }

  /** True when libyaml would break the line at the space at `i` (a single space past the width). */
  private breaksAt(value: string, i: number, spaces: boolean, allowBreaks: boolean): boolean {
    return allowBreaks && !spaces && this.column > this.bestWidth && value[i + 1] !== ' ';
  }

  /** No space in `value` can come after column `bestWidth`, so the scalar is written on one line. */
  private fitsOnLine(value: string, allowBreaks: boolean): boolean {
    return !allowBreaks || this.column + value.length <= this.bestWidth + 1 || !value.includes(' ');
  }

  writePlain(value: string, indent: number, allowBreaks: boolean): void {
    if (!this.whitespace) this.put(' ');
    if (this.fitsOnLine(value, allowBreaks)) {
      this.put(value);
      this.whitespace = false;
      this.indention = false;
      return;
    }
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const ch = value[i] as string;
      if (ch === ' ') {
        if (this.breaksAt(value, i, spaces, allowBreaks)) this.writeIndent(indent);
        else this.put(ch);
        spaces = true;
      } else {
        this.put(ch);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
  }

  writeSingleQuoted(value: string, indent: number, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    const escaped = value.replaceAll("'", "''");
    if (this.fitsOnLine(escaped, allowBreaks)) {
      this.put(escaped);
      this.indention = false;
      this.writeIndicator("'", false, false, false);
      return;
    }
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const ch = value[i] as string;
      if (ch === ' ') {
        const inside = i !== 0 && i !== value.length - 1;
        if (inside && this.breaksAt(value, i, spaces, allowBreaks)) this.writeIndent(indent);
        else this.put(ch);
        spaces = true;
      } else {
        this.put(ch === "'" ? "''" : ch);
        this.indention = false;
        spaces = false;
      }
    }
    this.writeIndicator("'", false, false, false);
  }

  writeDoubleQuoted(value: string, indent: number, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    let spaces = false;
    for (let i = 0; i < value.length; i++) {
      const ch = value[i] as string;
      const code = ch.charCodeAt(0);
      if (ch === '"' || ch === '\\' || code < 0x20 || code > 0x7e) {
        this.put(doubleQuotedEscape(ch));
        spaces = false;
      } else if (ch === ' ') {
        const inside = i !== 0 && i !== value.length - 1;
        if (allowBreaks && !spaces && this.column > this.bestWidth && inside) {
          this.writeIndent(indent);
          if (value[i + 1] === ' ') this.put('\\');
        } else this.put(ch);
        spaces = true;
      } else {
        this.put(ch);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
  }

  writeLiteral(value: string, indent: number): void {
    this.writeIndicator('|', true, false, false);
    if (value.startsWith(' ') || value.startsWith('\n')) this.put(String(BEST_INDENT));
    if (!value.endsWith('\n')) this.put('-');
    else if (value.length === 1 || value.endsWith('\n\n')) this.put('+');
    this.whitespace = false;
    this.newline();
    this.indention = true;
    this.whitespace = true;
    // Each line at the indent; empty lines stay empty (libyaml writes no indent before a line break).
    const lines = value.split('\n');
    lines.forEach((line, i) => {
      if (line.length > 0) {
        this.writeIndent(indent);
        this.put(line);
        this.indention = false;
      }
      if (i < lines.length - 1) {
        this.newline();
        this.indention = true;
      }
    });
  }
}

function doubleQuotedEscape(ch: string): string {
  const named: Record<string, string> = {
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\t': '\\t',
    '\r': '\\r',
    '\0': '\\0',
  };
  const known = named[ch];
  if (known !== undefined) return known;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).toUpperCase().padStart(2, '0')}`
    : `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Lays out one document in `dialect`'s layout; the text ends with a line break. */
export function emitLibyaml(document: unknown, dialect: LibyamlDialect): string {
  const writer = new Writer(dialect.bestWidth);

  const selectStyle = (value: string, simpleKey: boolean): Style => {
    const analysis = analyzeScalar(value);
    let style: Style = 'plain';
    if (analysis.multiline && !simpleKey) {
      if (dialect.multiline === 'unsupported') {
        throw new Error(
          `a string with line breaks is not modelled for this writer: ${JSON.stringify(value)}`,
        );
      }
      style = '|';
    } else if (dialect.resolvesToNonString(value)) style = dialect.ambiguousQuote;
    if (style === 'plain' && (!analysis.blockPlainAllowed || (value.length === 0 && simpleKey))) style = "'";
    if (style === "'" && (!analysis.singleQuotedAllowed || (simpleKey && analysis.multiline))) style = '"';
    if (style === '|' && (!analysis.blockAllowed || simpleKey)) style = '"';
    return style;
  };

  const emitScalar = (text: string, parentIndent: number, simpleKey: boolean, isString: boolean): void => {
    // yaml_emitter_emit_scalar increases the indent (as for flow) for the scalar's continuation lines.
    const indent = parentIndent < 0 ? BEST_INDENT : parentIndent + BEST_INDENT;
    const style = isString ? selectStyle(text, simpleKey) : 'plain';
    const allowBreaks = !simpleKey;
    if (style === 'plain') writer.writePlain(text, indent, allowBreaks);
    else if (style === "'") writer.writeSingleQuoted(text, indent, allowBreaks);
    else if (style === '"') writer.writeDoubleQuoted(text, indent, allowBreaks);
    else writer.writeLiteral(text, indent);
  };

  const emitSequence = (
    items: unknown[],
    indent: number,
    inMapping: boolean,
    path: readonly string[],
  ): void => {
    if (items.length === 0) {
      writer.writeIndicator('[]', true, false, false);
      return;
    }
    // Sequences that are a mapping's value are "indentless": their dashes sit at the key's column.
    const indentless = inMapping && !writer.indention;
    const itemIndent = indent < 0 ? 0 : indentless ? indent : indent + BEST_INDENT;
    for (const item of items) {
      writer.writeIndent(itemIndent);
      writer.writeIndicator('-', true, false, true);
      emitNode(item, itemIndent, false, path);
    }
  };

  const emitMapping = (entries: Record<string, unknown>, indent: number, path: readonly string[]): void => {
    const keys = dialect.orderKeys(
      Object.keys(entries).filter((key) => entries[key] !== undefined),
      path,
    );
    if (keys.length === 0) {
      writer.writeIndicator('{}', true, false, false);
      return;
    }
    const keyIndent = indent < 0 ? 0 : indent + BEST_INDENT;
    for (const key of keys) {
      writer.writeIndent(keyIndent);
      emitScalar(key, keyIndent, true, true);
      writer.writeIndicator(':', false, false, false);
      emitNode(entries[key], keyIndent, true, [...path, key]);
    }
  };

  function emitNode(value: unknown, indent: number, inMapping: boolean, path: readonly string[]): void {
    if (value === null || value === undefined) emitScalar('null', indent, false, false);
    else if (typeof value === 'boolean') emitScalar(String(value), indent, false, false);
    else if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new Error(`non-integer number ${value}`);
      emitScalar(String(value), indent, false, false);
    } else if (typeof value === 'string') emitScalar(value, indent, false, true);
    else if (Array.isArray(value)) emitSequence(value, indent, inMapping, path);
    else emitMapping(value as Record<string, unknown>, indent, path);
  }

  emitNode(document, -1, false, []);
  writer.writeIndent(0);
  const text = writer.chunks.join('');
  return text.endsWith('\n') ? text : `${text}\n`;
}

/**
 * go-yaml v2's key order (sorter.go, `keyList.Less`): runs of digits compare as numbers, a non-letter sorts before
 * a letter, otherwise by code point.
 */
export function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  const isLetter = (c: string) => /\p{L}/u.test(c);
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) continue;
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return ac < bc;
    if (al || bl) return bl;
    let an = 0;
    let bn = 0;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1;
          bn = 1;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai]);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi]);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return ac < bc;
  }
  return ar.length < br.length;
}

const goYamlOrders = new Map<string, string[]>();

/** Keys in go-yaml's order (memoised by key set: manifests repeat the same few hundred). */
export const goYamlKeyOrder = (keys: string[]): string[] => {
  const id = keys.join('\0');
  let order = goYamlOrders.get(id);
  if (order === undefined) {
    order = [...keys].sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
    goYamlOrders.set(id, order);
  }
  return [...order];
};

/** Code-point order: Python's `sorted()` (PyYAML `sort_keys=True`) and Go's `encoding/json` on ASCII keys. */
export const codePointKeyOrder = (keys: string[]): string[] =>
  [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

const YAML11_BOOLS = new Set(
  [
    'y',
    'Y',
    'yes',
    'Yes',
    'YES',
    'n',
    'N',
    'no',
    'No',
    'NO',
    'true',
    'True',
    'TRUE',
    'false',
    'False',
    'FALSE',
  ].concat(['on', 'On', 'ON', 'off', 'Off', 'OFF']),
);
const GO_NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const GO_SPECIAL_FLOATS = /^[-+]?\.(inf|Inf|INF)$|^\.(nan|NaN|NAN)$/;
/** Go's strconv.ParseInt(s, 0, 64) after go-yaml strips `_`, and its `0b` form. */
const GO_INT = /^[-+]?(0b[01]+|0o?[0-7]*|0x[0-9a-fA-F]+|[1-9][0-9]*)$/;
/** Go's strconv.ParseFloat on the strings go-yaml tries it on (those starting with a digit, sign or dot). */
const GO_FLOAT = /^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$|^[-+]?(inf|infinity|nan)$/i;
const GO_TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]+)?(Z|[-+][0-9]{2}:[0-9]{2})?)?$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;

/**
 * go-yaml's rule for quoting a string (`encode.go` stringv): quoted when the plain scalar would resolve to another
 * tag (v2's YAML 1.1 booleans, null, ints, floats, timestamps) or is a base-60 float; v3 keeps the same set by also
 * quoting the YAML 1.1 booleans ("isOldBool").
 */
export function goYamlResolvesToNonString(value: string): boolean {
  if (YAML11_BOOLS.has(value) || GO_NULLS.has(value) || GO_SPECIAL_FLOATS.test(value)) return true;
  if (BASE60_FLOAT.test(value)) return true;
  if (!/^[-+.0-9]/.test(value)) return false;
  const plain = value.replaceAll('_', '');
  return GO_INT.test(plain) || GO_FLOAT.test(plain) || GO_TIMESTAMP.test(value);
}

const PY_BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const PY_INT =
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const PY_NULL = /^(?:~|null|Null|NULL|)$/;
const PY_TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

/** PyYAML 6.0's implicit resolvers (resolver.py): a string matching one is quoted so it stays a string. */
export function pyYamlResolvesToNonString(value: string): boolean {
  return [PY_BOOL, PY_FLOAT, PY_INT, PY_NULL, PY_TIMESTAMP, /^(?:<<)$/, /^(?:=)$/].some((re) =>
    re.test(value),
  );
}
