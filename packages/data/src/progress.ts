/** Where progress goes: process.stderr, or anything with a write(string). */
export interface ProgressSink {
  /** Writes `text` as it is (no newline added). */
  write(text: string): unknown;
  /** A terminal gets a bar redrawn in place; anything else (a log file, a pipe) one line per file. */
  isTTY?: boolean;
}

const WIDTH = 30;

function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

/**
 * A one-line download progress bar redrawn with \r, like tqdm's:
 * `train-images-idx3-ubyte.gz [#########.....................]  31% 8.2/26.4 MB`.
 * Without a known total it shows the bytes so far. It redraws only when the text changes, and
 * only on a terminal: elsewhere it writes its last state once, when the download ends.
 */
export class ProgressBar {
  private last = '';

  constructor(
    private readonly sink: ProgressSink,
    private readonly label: string,
    private readonly total: number | null,
  ) {}

  /** Redraws the bar for `done` units of the total. */
  update(done: number): void {
    const line = this.render(done);
    if (line === this.last) return;
    this.last = line;
    if (this.sink.isTTY) this.sink.write(`\r${line}`);
  }

  /** Draws the bar complete and ends its line. */
  finish(): void {
    if (this.last) this.sink.write(this.sink.isTTY ? '\n' : `${this.last}\n`);
  }

  private render(done: number): string {
    if (!this.total) return `${this.label} ${megabytes(done)} MB`;
    const fraction = Math.min(1, done / this.total);
    const bar = '#'.repeat(Math.round(fraction * WIDTH)).padEnd(WIDTH, '.');
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    return `${this.label} [${bar}] ${percent} ${megabytes(done)}/${megabytes(this.total)} MB`;
  }
}
