// The one plain-text table formatter of the SDK (CLI output, reports, benchmark summaries).

/** How {@link formatTable} lays out columns. */
export interface TableOptions {
  /** Columns (by index) aligned to the right, for numbers. Default: none. */
  readonly right?: readonly number[] | ((column: number) => boolean);
  /** Spaces between columns. Default 2. */
  readonly gap?: number;
  /** Text put before every line. Default ''. */
  readonly indent?: string;
}

/**
 * Rows of cells as aligned columns, one line per row, trailing spaces removed. Column widths come
 * from the longest cell in each column; rows may have different lengths.
 */
export function formatTable(rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const { right = [], gap = 2, indent = '' } = options;
  const isRight = typeof right === 'function' ? right : (c: number) => right.includes(c);
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  const sep = ' '.repeat(gap);
  return rows
    .map((row) => {
      const line = row.map((cell, i) => (isRight(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)));
      return `${indent}${line.join(sep)}`.trimEnd();
    })
    .join('\n');
}
