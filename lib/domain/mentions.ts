// @mentions in comments. A handle is the part of a member's email before the "@"
// (e.g. @reviewer for reviewer@example.org), which is unique enough within a project.
const MENTION = /(^|[^\w@.])@([a-z0-9][a-z0-9._-]{0,63})/gi;

/** Distinct lower-cased handles mentioned in a text, in order of first mention. */
export function extractMentions(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(MENTION)) {
    const handle = match[2]!.toLowerCase().replace(/[._-]+$/, "");
    if (handle && !found.includes(handle)) found.push(handle);
  }
  return found;
}

export function handleOf(email: string): string {
  return email.split("@")[0]!.toLowerCase();
}

export const MAX_COMMENT_LENGTH = 10_000;
