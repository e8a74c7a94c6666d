// Lines from a stream as Perl's readline yields them: each with its "\n", the last one possibly
// without. Bounded, so an endless line fails the check instead of filling memory.

/** A line longer than this is not an answer a check waits for. */
export const MAX_LINE = 1024 * 1024;

export class LineBuffer {
  private pending = '';

  /** Appends `text`; returns the lines it completed, each with its "\n". */
  push(text: string): string[] {
    this.pending += text;
    const lines: string[] = [];
    let start = 0;
    for (let nl = this.pending.indexOf('\n'); nl >= 0; nl = this.pending.indexOf('\n', start)) {
      lines.push(this.pending.slice(start, nl + 1));
      start = nl + 1;
    }
    if (start > 0) this.pending = this.pending.slice(start);
    return lines;
  }

  /** True once an unfinished line has grown past MAX_LINE. */
  get overflowed(): boolean {
    return this.pending.length > MAX_LINE;
  }

  /** At the end of the stream: the last line, which had no "\n" ('' when there is none). */
  rest(): string {
    const line = this.pending;
    this.pending = '';
    return line;
  }
}
