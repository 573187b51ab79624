/**
 * Splits a migration script into its statements the way PostgreSQL's lexer sees them:
 * semicolons inside quotes ('...', "...", E'...'), dollar-quoted bodies ($$...$$,
 * $fn$...$fn$) and comments (-- and nested /* *\/) do not end a statement. Used to show
 * each statement's lock (`migrate apply --dry-run`) and to refuse statements that cannot
 * run inside a transaction; the script itself is always sent to the server whole.
 */
export function splitSqlStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const push = (end: number) => {
    const text = stripComments(sql.slice(start, end)).trim();
    if (text) statements.push(text);
    start = end + 1;
  };
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') i = endOfLine(sql, i);
    else if (ch === '/' && next === '*') i = endOfBlockComment(sql, i);
    else if (ch === "'" || ch === '"') i = endOfQuoted(sql, i, ch);
    else if (ch === '$') i = endOfDollarQuoted(sql, i);
    else if (ch === ';') {
      push(i);
      i += 1;
    } else i += 1;
  }
  push(sql.length);
  return statements;
}

function endOfLine(sql: string, i: number): number {
  const nl = sql.indexOf('\n', i);
  return nl === -1 ? sql.length : nl + 1;
}

function endOfBlockComment(sql: string, i: number): number {
  let depth = 0;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return sql.length;
}

function endOfQuoted(sql: string, i: number, quote: string): number {
  // E'...' strings take backslash escapes: E'it\'s' is one literal.
  const escapes = quote === "'" && /[eE]/.test(sql[i - 1] ?? '') && !/[\w$]/.test(sql[i - 2] ?? '');
  i += 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2; // doubled quote inside the literal
      else return i + 1;
    } else if (escapes && sql[i] === '\\') i += 2;
    else i += 1;
  }
  return sql.length;
}

function endOfDollarQuoted(sql: string, i: number): number {
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
  // `$1` (a parameter) or a `$` inside an identifier is not a dollar quote.
  if (!tag || /[A-Za-z0-9_]/.test(sql[i - 1] ?? '')) return i + 1;
  const close = sql.indexOf(tag[0], i + tag[0].length);
  return close === -1 ? sql.length : close + tag[0].length;
}

/** The statement without its comments (quoted text kept as is), for classification. */
export function stripComments(statement: string): string {
  let out = '';
  let i = 0;
  while (i < statement.length) {
    const ch = statement[i]!;
    const next = statement[i + 1];
    let end: number;
    if (ch === '-' && next === '-') {
      i = endOfLine(statement, i);
      out += '\n';
      continue;
    }
    if (ch === '/' && next === '*') {
      i = endOfBlockComment(statement, i);
      out += ' ';
      continue;
    }
    if (ch === "'" || ch === '"') end = endOfQuoted(statement, i, ch);
    else if (ch === '$') end = endOfDollarQuoted(statement, i);
    else end = i + 1;
    out += statement.slice(i, end);
    i = end;
  }
  return out;
}
