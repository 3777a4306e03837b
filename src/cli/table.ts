// Plain aligned text tables for CLI output: one header row, columns padded to their widest cell.
// `right` lists the columns (by index) to align right, as numbers read best.

export function formatTable(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const pad = (cell: string, i: number) => {
    const fill = ' '.repeat(widths[i] - [...cell].length);
    return right.has(i) ? fill + cell : cell + fill;
  };
  return [header, ...rows].map((r) => r.map(pad).join('  ').trimEnd() + '\n').join('');
}
