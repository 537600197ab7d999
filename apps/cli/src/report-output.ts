import { closeSync, openSync, writeSync } from 'node:fs';
import type { OutputStream } from './io.js';

/**
 * Writes a report as its pieces come, in batches of about a mebibyte: a report of 100k resources is written without
 * ever being one string, and a slow reader (a pipe to `less`) holds the writer back rather than the memory growing.
 */

const BATCH_CHARS = 1 << 20;

function drained(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.once) stream.once('drain', resolve);
    else resolve();
  });
}

/** To a stream (stdout): waits for `drain` whenever the stream says its buffer is full. */
export async function writeChunksToStream(chunks: Iterable<string>, stream: OutputStream): Promise<void> {
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length < BATCH_CHARS) continue;
    const accepted = stream.write(batch);
    batch = '';
    if (accepted === false) await drained(stream);
  }
  if (batch !== '') stream.write(batch);
}

/** To a file, created or truncated; throws what the file system says when it cannot. */
export function writeChunksToFile(chunks: Iterable<string>, path: string): void {
  const fd = openSync(path, 'w');
  try {
    let batch = '';
    for (const chunk of chunks) {
      batch += chunk;
      if (batch.length < BATCH_CHARS) continue;
      writeSync(fd, batch);
      batch = '';
    }
    if (batch !== '') writeSync(fd, batch);
  } finally {
    closeSync(fd);
  }
}
