import Table from 'cli-table3';

/** A plain table for results on stdout (no colour codes in borders, so logs stay readable). */
export function renderTable(head: readonly string[], rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map((cell) => (cell === null || cell === undefined ? '' : String(cell))));
  return table.toString() + '\n';
}
