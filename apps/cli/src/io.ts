/** What the CLI talks to: injected so tests run it in process with fake streams. */

export interface OutputStream {
  /** `false` when the stream's buffer is full: wait for `drain` (when the stream has `once`) before writing more. */
  write(chunk: string | Uint8Array): unknown;
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener?(event: 'drain' | 'close', listener: () => void): unknown;
  /** True once the stream is closed (e.g. the reader of a pipe went away): nothing more can be written. */
  destroyed?: boolean;
  /** True when the stream is a terminal. */
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Read for the `-` path. */
  stdin?: AsyncIterable<string | Uint8Array>;
  /** @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** The clock: exception expiry and report timestamps. @default () => new Date() */
  now?: () => Date;
}

export const EXIT_OK = 0;
/** A policy failed. */
export const EXIT_FAILURES = 1;
/** Bad usage, configuration or input; wins over failures. */
export const EXIT_USAGE_OR_INPUT = 2;

/** A mistake in the command line or configuration: reported on stderr with exit code 2. */
export class UsageError extends Error {}
