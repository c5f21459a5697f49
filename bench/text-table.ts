export type Align = 'left' | 'right';

/**
 * A plain-text table with columns padded to their widest cell; numbers read best right-aligned.
 * A row shorter than the header ends in a note that spans the remaining columns, so it neither
 * widens nor aligns with them.
 */
export function formatTable(headers: string[], rows: string[][], align: Align[]): string {
  const spans = (row: string[], i: number): boolean =>
    row.length < headers.length && i === row.length - 1;
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (spans(row, i) ? 0 : (row[i] ?? '').length))),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, i) => {
        if (spans(cells, i)) return cell;
        return align[i] === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
