import { closeSync, openSync, writeSync } from 'node:fs';
import type { OutputStream } from './io.js';

/**
 * Writes a report as its pieces come, in batches of about a mebibyte: a report of 100k resources is written without
 * ever being one string, and a slow reader (a pipe to `less`) holds the writer back rather than the memory growing.
 *
 * Why pieces are encoded into a Buffer one by one, not joined into a string: a joined batch is a rope that UTF-8
 * encoding must first flatten (a copy of the whole batch), and a single non-Latin-1 piece turns the flattened batch
 * into a two-byte string, which encodes several times slower. Encoding each piece in place does neither.
 */

const BATCH_BYTES = 1 << 20;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_BYTES_PER_UNIT = 3;

/** The pieces as UTF-8 batches of about `BATCH_BYTES`, in order; a piece too large for a batch is one on its own. */
export function* utf8Batches(chunks: Iterable<string>, batchBytes = BATCH_BYTES): Generator<Buffer> {
  let batch = Buffer.allocUnsafe(batchBytes);
  let used = 0;
  for (const chunk of chunks) {
    const most = chunk.length * MAX_BYTES_PER_UNIT;
    if (used + most > batchBytes && used > 0) {
      yield batch.subarray(0, used);
      // A fresh buffer: the stream may still hold the one just written.
      batch = Buffer.allocUnsafe(batchBytes);
      used = 0;
    }
    if (most > batchBytes) yield Buffer.from(chunk, 'utf8');
    else used += batch.write(chunk, used, 'utf8');
  }
  if (used > 0) yield batch.subarray(0, used);
}

/** Resolves on `drain`, or on `close`: a closed stream never drains, and waiting for it would end the process. */
function drained(stream: OutputStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.once) return resolve();
    const settle = () => {
      stream.removeListener?.('drain', settle);
      stream.removeListener?.('close', settle);
      resolve();
    };
    stream.once?.('drain', settle);
    stream.once?.('close', settle);
  });
}

/** To a stream (stdout): waits for `drain` whenever the stream says its buffer is full. */
export async function writeChunksToStream(chunks: Iterable<string>, stream: OutputStream): Promise<void> {
  for (const batch of utf8Batches(chunks)) {
    // The reader went away (`| head`): the rest has nowhere to go; the caller still returns the verdict.
    if (stream.destroyed === true) return;
    if (stream.write(batch) === false) await drained(stream);
  }
}

/** To a file, created or truncated; throws what the file system says when it cannot. */
export function writeChunksToFile(chunks: Iterable<string>, path: string): void {
  const fd = openSync(path, 'w');
  try {
    for (const batch of utf8Batches(chunks)) {
      let written = 0;
      while (written < batch.length) written += writeSync(fd, batch, written);
    }
  } finally {
    closeSync(fd);
  }
}
