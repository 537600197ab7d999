/**
 * `value` as `JSON.stringify(value, null, 2)` writes it when nested at `indent` (a run of spaces): its inner lines
 * shifted right. JSON strings carry no raw newline, so every newline is a line break of the layout.
 */
export function nestedJson(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return text.includes('\n') ? text.replaceAll('\n', `\n${indent}`) : text;
}
