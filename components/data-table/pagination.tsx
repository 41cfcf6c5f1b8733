"use client";
// Paging for server-side tables: first/previous/next/last, the page size, and where we are.
// "[" and "]" page from the keyboard (see usePagingKeys).
import { useEffect } from "react";

type Props = {
  page: number;
  pageCount: number;
  total: number;
  size: number;
  sizes: readonly number[];
  noun: string;
  onPage: (page: number) => void;
  onSize: (size: number) => void;
  testId?: string;
};

const count = new Intl.NumberFormat("en-GB");

export function Pagination({ page, pageCount, total, size, sizes, noun, onPage, onSize, testId }: Props) {
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  return (
    <nav className="pager" aria-label={`Pages of ${noun}`} data-testid={testId}>
      <button type="button" className="secondary" onClick={() => onPage(1)} disabled={page <= 1} aria-label="First page">«</button>
      <button type="button" className="secondary" onClick={() => onPage(page - 1)} disabled={page <= 1}>Previous</button>
      <span role="status" data-testid={testId ? `${testId}-status` : undefined}>
        {count.format(first)}–{count.format(last)} of {count.format(total)} {noun} · page {count.format(page)} of {count.format(pageCount)}
      </span>
      <button type="button" className="secondary" onClick={() => onPage(page + 1)} disabled={page >= pageCount}>Next</button>
      <button type="button" className="secondary" onClick={() => onPage(pageCount)} disabled={page >= pageCount} aria-label="Last page">»</button>
      <label>
        Per page
        <select value={size} onChange={(event) => onSize(Number(event.target.value))}>
          {sizes.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
      </label>
    </nav>
  );
}

/** "/" focuses the search box, "[" and "]" turn pages, unless the person is typing somewhere. */
export function useTableKeys({ search, page, pageCount, onPage }: { search: React.RefObject<HTMLInputElement | null>; page: number; pageCount: number; onPage: (page: number) => void }) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable)) return;
      if (event.key === "/") {
        event.preventDefault();
        search.current?.focus();
      } else if (event.key === "]" && page < pageCount) onPage(page + 1);
      else if (event.key === "[" && page > 1) onPage(page - 1);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [search, page, pageCount, onPage]);
}
