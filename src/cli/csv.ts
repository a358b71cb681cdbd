/** A small RFC 4180 line splitter: commas, quoted fields with "" escapes. One line, one record. */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** A progress bar on stderr, redrawn at most every 100 ms; silent when stderr is not a terminal. */
export function progressBar(label: string, total: number): { update(done: number, note?: string): void; finish(): void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  const draw = (done: number, note = '') => {
    const share = total > 0 ? Math.min(done / total, 1) : 1;
    const width = 30;
    const filled = Math.round(share * width);
    process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}% ${note}`);
  };
  return {
    update(done, note) {
      const now = Date.now();
      if (!tty || now - last < 100) return;
      last = now;
      draw(done, note);
    },
    finish() {
      if (tty) process.stderr.write('\n');
    },
  };
}
