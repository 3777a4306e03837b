// The rule for a value whose type differs from its column's (docs/events.md, "Column types"):
//
//  - integer column, float value: the column widens to float (once, for every partition);
//  - float column, integer value: stored as float;
//  - string column, any value: stored as its text ("true", "42", "1.5");
//  - number or boolean column, string value that reads as that type ("42", "1.5", "true"):
//    stored converted;
//  - anything else (a word into a number column, a number into a boolean column): the value is
//    kept, in a sibling column named `<column>:<type of the value>` ("status:string").
//
// Nothing is dropped and no event is refused for a type change.
import type { ColumnType, FieldValue } from './types.js';

export function typeOfValue(value: FieldValue): ColumnType {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  // Integers past 2^53 have already lost precision in JSON.parse and may not fit BIGINT.
  return Number.isSafeInteger(value) ? 'integer' : 'float';
}

export type Placement =
  | { kind: 'store'; value: FieldValue }
  | { kind: 'widen'; value: number }
  | { kind: 'sibling'; column: string; type: ColumnType; value: FieldValue };

const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Decides where `value` goes in a column of type `columnType`. */
export function place(column: string, columnType: ColumnType, value: FieldValue): Placement {
  const valueType = typeOfValue(value);
  if (valueType === columnType) return { kind: 'store', value };
  switch (columnType) {
    case 'string':
      return { kind: 'store', value: String(value) };
    case 'float':
      if (valueType === 'integer') return { kind: 'store', value };
      if (valueType === 'string' && NUMBER_TEXT.test(value as string)) return { kind: 'store', value: Number(value) };
      break;
    case 'integer':
      if (valueType === 'float') return { kind: 'widen', value: value as number };
      if (valueType === 'string' && NUMBER_TEXT.test(value as string)) {
        const n = Number(value);
        return Number.isSafeInteger(n) ? { kind: 'store', value: n } : { kind: 'widen', value: n };
      }
      break;
    case 'boolean':
      if (value === 'true' || value === 'false') return { kind: 'store', value: value === 'true' };
      break;
  }
  return { kind: 'sibling', column: `${column}:${valueType}`, type: valueType, value };
}
