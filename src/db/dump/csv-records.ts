/**
 * The records of a CSV as PostgreSQL's `COPY ... CSV` writes it, each kept as its exact text
 * (without the line end) with its first field unquoted: the key two exports are matched by.
 * A newline inside quotes belongs to the field, not to a new record.
 */
export interface CsvRecord {
  readonly key: string;
  readonly text: string;
}

function firstField(text: string): string {
  if (!text.startsWith('"')) return text.split(',', 1)[0]!;
  let i = 1;
  let value = '';
  while (i < text.length) {
    if (text[i] === '"') {
      if (text[i + 1] === '"') {
        value += '"';
        i += 2;
        continue;
      }
      break;
    }
    value += text[i];
    i += 1;
  }
  return value;
}

export function csvRecords(csv: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < csv.length; i++) {
    const ch = csv[i];
    if (ch === '"') quoted = !quoted;
    else if (ch === '\n' && !quoted) {
      const text = csv.slice(start, i).replace(/\r$/, '');
      records.push({ key: firstField(text), text });
      start = i + 1;
    }
  }
  if (start < csv.length) {
    const text = csv.slice(start).replace(/\r$/, '');
    records.push({ key: firstField(text), text });
  }
  return records;
}
