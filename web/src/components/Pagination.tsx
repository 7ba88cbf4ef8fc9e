export function Pagination({
  offset,
  limit,
  total,
  onChange,
}: {
  offset: number;
  limit: number;
  total: number;
  onChange: (offset: number) => void;
}) {
  if (total <= limit && offset === 0) return null;
  const last = Math.min(total, offset + limit);
  return (
    <div className="mt-3 flex items-center justify-between gap-2 text-sm text-slate-600" data-testid="pagination">
      <span data-testid="pagination-range">
        {total === 0 ? 0 : offset + 1}–{last} of {total}
      </span>
      <span className="flex gap-2">
        <button type="button" className="btn" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))} data-testid="pagination-prev">
          Newer
        </button>
        <button type="button" className="btn" disabled={last >= total} onClick={() => onChange(offset + limit)} data-testid="pagination-next">
          Older
        </button>
      </span>
    </div>
  );
}
