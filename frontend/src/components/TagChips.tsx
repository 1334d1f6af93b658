/** A request's tags as `key:value` chips (Logs rows and the request drawer). */
export function TagChips({ tags }: { readonly tags: Readonly<Record<string, string>> }) {
  const entries = Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return <span className="muted">—</span>;
  return (
    <span className="tag-chips">
      {entries.map(([key, value]) => (
        <span key={key} className="tag-chip" data-tag={`${key}:${value}`}>
          {key}:{value}
        </span>
      ))}
    </span>
  );
}
