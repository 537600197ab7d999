import { isUtf8 } from 'node:buffer';

/** Decodes a manifest's bytes into text as kubectl does, or says why they are not text. */

/** Files with a NUL character in this many leading bytes (or UTF-16 code units) are binary. */
const BINARY_SNIFF_LENGTH = 8192;
const BINARY = 'binary file (it contains a NUL byte)';

/** Manifest text decoded from a file's bytes, or why it cannot be. */
export type DecodedText = { text: string; encoding: TextEncoding } | { error: string };
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The line (1-based, counting `\n`) of a code unit offset in text. */
function lineOfIndex(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** The offset of the first byte that is not part of a well-formed UTF-8 sequence (RFC 3629). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let at = 0; at < bytes.length; ) {
    const first = bytes[at] as number;
    if (first < 0x80) {
      at++;
      continue;
    }
    // The length of the sequence and the range of its second byte (which rules out overlongs and surrogates).
    let size: number;
    let low = 0x80;
    let high = 0xbf;
    if (first >= 0xc2 && first <= 0xdf) size = 2;
    else if (first >= 0xe0 && first <= 0xef) {
      size = 3;
      if (first === 0xe0) low = 0xa0;
      if (first === 0xed) high = 0x9f;
    } else if (first >= 0xf0 && first <= 0xf4) {
      size = 4;
      if (first === 0xf0) low = 0x90;
      if (first === 0xf4) high = 0x8f;
    } else return at;
    for (let i = 1; i < size; i++) {
      const next = bytes[at + i];
      if (next === undefined || next < (i === 1 ? low : 0x80) || next > (i === 1 ? high : 0xbf)) return at;
    }
    at += size;
  }
  return -1;
}

/** The line of a byte offset in UTF-8 (or ASCII-compatible) bytes. */
function lineOfByte(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** An unpaired surrogate (the expression works on UTF-16 code units: no `u` flag). */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Decodes a manifest's bytes as kubectl does (its file reader is `unicode.BOMOverride(unicode.UTF8.NewDecoder())`
 * from golang.org/x/text): UTF-16 LE or BE when the bytes start with that byte order mark, else UTF-8, without its
 * byte order mark if it has one. A NUL character near the start makes the file binary. No other encoding is recognised (kubectl reads neither UTF-32 nor UTF-16 without
 * a byte order mark). Where kubectl silently replaces an invalid byte sequence by U+FFFD, this fails instead: a
 * replaced character could change a value a policy checks, so the input is an error naming the line.
 */
export function decodeManifestBytes(bytes: Uint8Array): DecodedText {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf32 =
    (buffer[0] === 0xff && buffer[1] === 0xfe && buffer[2] === 0 && buffer[3] === 0) ||
    (buffer[0] === 0 && buffer[1] === 0 && buffer[2] === 0xfe && buffer[3] === 0xff);
  if (utf32)
    return { error: 'UTF-32 is not supported (kubectl reads UTF-8 and UTF-16): save the file as UTF-8' };
  const utf16 =
    buffer[0] === 0xff && buffer[1] === 0xfe
      ? 'utf-16le'
      : buffer[0] === 0xfe && buffer[1] === 0xff
        ? 'utf-16be'
        : undefined;
  if (utf16) {
    if (buffer.length % 2 !== 0) return { error: `invalid ${utf16.toUpperCase()}: an odd number of bytes` };
    let units = buffer.subarray(2);
    if (utf16 === 'utf-16be') units = Buffer.from(units).swap16(); // a copy: the caller's bytes stay as they are
    const text = units.toString('utf16le');
    const lone = LONE_SURROGATE.exec(text);
    if (lone) {
      return {
        error: `invalid ${utf16.toUpperCase()} at line ${lineOfIndex(text, lone.index)}: an unpaired surrogate`,
      };
    }
    if (text.slice(0, BINARY_SNIFF_LENGTH).includes('\u0000')) return { error: BINARY };
    return { text, encoding: utf16 };
  }
  const start = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const body = buffer.subarray(start);
  if (body.subarray(0, BINARY_SNIFF_LENGTH).includes(0)) {
    // UTF-16 text without a byte order mark has a NUL byte beside every ASCII character.
    const utf16 = (body[0] === 0) !== (body[1] === 0);
    return { error: utf16 ? `${BINARY}: UTF-16 needs a byte order mark` : BINARY };
  }
  if (!isUtf8(body)) {
    const at = firstInvalidUtf8(body);
    return { error: `invalid UTF-8 at line ${lineOfByte(body, at)} (byte ${start + at + 1} of the file)` };
  }
  return { text: body.toString('utf8'), encoding: 'utf-8' };
}
