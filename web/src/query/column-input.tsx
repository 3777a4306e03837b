// A text input that suggests the dataset's columns (name and type) through a datalist.
import type { InputHTMLAttributes } from 'react';
import type { ColumnInfo } from './columns';

export function ColumnList({ id, columns, extra = [] }: { id: string; columns: ColumnInfo[]; extra?: string[] }) {
  return (
    <datalist id={id}>
      {extra.map((name) => (
        <option key={`x-${name}`} value={name}>
          calculated field
        </option>
      ))}
      {columns.map((c) => (
        <option key={c.key_name} value={c.key_name}>
          {c.type}
        </option>
      ))}
    </datalist>
  );
}

export function ColumnInput({ listId, value, onChange, label, ...rest }: { listId: string; value: string; onChange(v: string): void; label: string } & Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'>) {
  return <input list={listId} aria-label={label} placeholder="column" value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} {...rest} />;
}
