/**
 * One CSV line (RFC 4180). Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)
 * get a leading apostrophe: these files hold customers' names, and a name is not a formula.
 */
export function csvLine(cells: readonly (string | number | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

function csvCell(cell: string | number | null): string {
  if (cell === null) return '';
  let text = String(cell);
  if (typeof cell === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
