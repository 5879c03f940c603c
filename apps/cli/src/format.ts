// Human-readable numbers for terminal output (tables: formatTable, shapes: formatShape of @edge/core).

/** 1234567 → "1.23 M"; small numbers stay exact with thousands separators. */
export function formatCount(n: number): string {
  if (n < 10_000) return n.toLocaleString('en-US');
  return scaled(n, 1000, ['K', 'M', 'G', 'T']);
}

/** Bytes in binary units: 4718592 → "4.50 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  return scaled(n, 1024, ['KiB', 'MiB', 'GiB', 'TiB']);
}

/** `n` in the largest of `units` (each `base` times the one before) it reaches, three digits shown. */
function scaled(n: number, base: number, units: readonly string[]): string {
  let v = n;
  let u = -1;
  while (v >= base && u < units.length - 1) {
    v /= base;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}
