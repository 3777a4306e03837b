// DuckDB compares identifiers without regard to ASCII case, so a table cannot hold both
// "status" and "Status". Tend's field names are case-sensitive (as Honeycomb's are), so each
// name is written in SQL with its capitals spelled out: "A" becomes "^a" and "^" becomes "^^".
// The mapping is the same in every table, so unions across days and datasets line up, and
// lower-case names (almost all of them) are unchanged. store.read() maps result names back.

const NEEDS_ENCODING = /[A-Z^]/;

export function sqlColumnName(name: string): string {
  if (!NEEDS_ENCODING.test(name)) return name;
  return name.replace(/[A-Z^]/g, (c) => (c === '^' ? '^^' : `^${c.toLowerCase()}`));
}

export function fieldName(sqlName: string): string {
  if (!sqlName.includes('^')) return sqlName;
  return sqlName.replace(/\^(.?)/gs, (_, c: string) => (c === '^' ? '^' : c === '' ? '^' : c.toUpperCase()));
}
