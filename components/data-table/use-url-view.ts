"use client";
import { usePathname, useRouter } from "next/navigation";
import { useCallback, useTransition } from "react";

/**
 * A server-side table's view lives in the URL: changing a filter, the sort or the page pushes
 * the new query string and the server renders that page. `pending` is true while it loads.
 */
export function useUrlView<State>(toSearch: (state: State) => string) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();
  const go = useCallback(
    (next: State) => {
      const query = toSearch(next);
      startTransition(() => router.push(query ? `${pathname}?${query}` : pathname, { scroll: false }));
    },
    [router, pathname, toSearch],
  );
  return { go, pending, pathname };
}
