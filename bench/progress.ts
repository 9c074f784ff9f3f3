/**
 * Progress display: one updating line on a TTY, plain lines otherwise (CI logs). Writes to
 * stderr so stdout carries only the final Markdown table.
 */
const WIDTH = 28;

export class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private section = '';
  private total = 0;
  private done = 0;
  private detail = '';
  private lastPlainDecile = -1;
  private lastDraw = 0;
  private readonly startedAt = Date.now();

  /** Starts a new phase with `total` units of work (0: indeterminate). */
  phase(section: string, total: number, detail = ''): void {
    this.finishLine();
    this.section = section;
    this.total = total;
    this.done = 0;
    this.detail = detail;
    this.lastPlainDecile = -1;
    this.draw(true);
  }

  tick(n = 1, detail?: string): void {
    this.done += n;
    if (detail !== undefined) this.detail = detail;
    this.draw(false);
  }

  set(done: number, detail?: string): void {
    this.done = done;
    if (detail !== undefined) this.detail = detail;
    this.draw(false);
  }

  /** A message on its own line (keeps the bar below it on a TTY). */
  log(message: string): void {
    this.finishLine();
    process.stderr.write(`${message}\n`);
  }

  finishLine(): void {
    if (this.tty && this.section) process.stderr.write('\r\x1b[2K');
  }

  end(): void {
    this.finishLine();
    this.section = '';
  }

  private draw(force: boolean): void {
    const elapsed = ((Date.now() - this.startedAt) / 1000).toFixed(0).padStart(4);
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 0;
    const counter = this.total > 0 ? `${this.done}/${this.total}` : `${this.done}`;
    if (this.tty) {
      const now = Date.now();
      if (!force && now - this.lastDraw < 100 && this.done < this.total) return;
      this.lastDraw = now;
      const filled = Math.round(fraction * WIDTH);
      const bar = this.total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}]` : '[working]';
      const line = `${elapsed}s ${this.section} ${bar} ${counter} ${this.detail}`;
      const columns = process.stderr.columns ?? 120;
      process.stderr.write(`\r\x1b[2K${line.slice(0, columns - 1)}`);
      return;
    }
    const decile = this.total > 0 ? Math.floor(fraction * 10) : 0;
    if (force || decile > this.lastPlainDecile) {
      this.lastPlainDecile = decile;
      process.stderr.write(
        `${elapsed}s ${this.section} ${this.total > 0 ? `${Math.round(fraction * 100)}% ` : ''}${counter} ${this.detail}\n`,
      );
    }
  }
}
