import type { OutputStream } from './io.js';

/** A one-line "checked N/M files" progress indicator on a terminal's stderr; silent everywhere else. */

/** Fewer files than this finish too fast for progress to help. */
export const PROGRESS_MIN_FILES = 20;
const REDRAW_MS = 100;

export class Progress {
  readonly #stream: OutputStream;
  readonly #total: number;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: OutputStream, total: number, enabled: boolean) {
    this.#stream = stream;
    this.#total = total;
    this.#enabled = enabled && total >= PROGRESS_MIN_FILES;
  }

  update(done: number): void {
    if (!this.#enabled) return;
    const now = Date.now();
    if (now - this.#lastDraw < REDRAW_MS && done < this.#total) return;
    this.#lastDraw = now;
    this.#drawn = true;
    this.#stream.write(`\r\u001b[Kpalisade: checked ${done}/${this.#total} files`);
  }

  /** Erases the line before the report is written. */
  clear(): void {
    if (this.#drawn) this.#stream.write('\r\u001b[K');
    this.#drawn = false;
  }
}
