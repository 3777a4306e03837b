// Every field of an event or span as table rows: name, then the value as text (objects as JSON).
export function FieldRows({ fields }: { fields: Record<string, unknown> }) {
  return (
    <>
      {Object.entries(fields).map(([k, v]) => (
        <tr key={k}>
          <th>{k}</th>
          <td>{typeof v === 'object' ? JSON.stringify(v) : String(v)}</td>
        </tr>
      ))}
    </>
  );
}
