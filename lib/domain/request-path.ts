// Request paths as the web server receives them, before Next.js decodes them.

/**
 * The first segment of a raw URL path (no query) whose percent-encoding does not decode to UTF-8
 * (`%E0%A4%A`, `%ZZ`, a lone `%`), or null when every segment decodes. The web server answers
 * such a request with 400 naming the segment, instead of letting the route crash on it.
 */
export function malformedPathSegment(rawPath: string): string | null {
  const path = rawPath.split(/[?#]/, 1)[0] ?? "";
  for (const segment of path.split("/")) {
    if (!segment.includes("%")) continue;
    try {
      decodeURIComponent(segment);
    } catch {
      return segment;
    }
  }
  return null;
}
