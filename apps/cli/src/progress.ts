import type { OutputStream } from './io.js';

/** One-line progress on a terminal's stderr ("checked N/M files", "listed 3/9 kinds, 1200 objects"); silent elsewhere. */

/** Fewer files than this finish too fast for progress to help. */
export const PROGRESS_MIN_FILES = 20;
const REDRAW_MS = 100;

/** A line redrawn in place at most every 100 ms, erased before the report is written. */
export class StatusLine {
  readonly #stream: OutputStream;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: OutputStream, enabled: boolean) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  /** Draws `text` unless the last draw was under 100 ms ago; `force` draws anyway (the last state). */
  show(text: () => string, force = false): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < REDRAW_MS && !force) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#stream.write(`\r\u001b[K${text()}`);
  }

  clear(): void {
    if (this.#drawn) this.#stream.write('\r\u001b[K');
    this.#drawn = false;
  }
}

export class Progress {
  readonly #line: StatusLine;
  readonly #total: number;

  constructor(stream: OutputStream, total: number, enabled: boolean) {
    this.#total = total;
    this.#line = new StatusLine(stream, enabled && total >= PROGRESS_MIN_FILES);
  }

  update(done: number): void {
    this.#line.show(() => `palisade: checked ${done}/${this.#total} files`, done >= this.#total);
  }

  /** Erases the line before the report is written. */
  clear(): void {
    this.#line.clear();
  }
}
