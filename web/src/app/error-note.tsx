// An API error shown where the person acted, in words.
export function ErrorNote({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  return (
    <p className="error" role="alert">
      {what}: {message}
    </p>
  );
}
