import { beforeAll, describe, expect, it } from "vitest";
import { type DomainError } from "../../lib/domain/errors";
import type { Actor } from "../../lib/domain/permissions";
import { db } from "../../lib/server/db";
import { renderMarkdown } from "../../lib/server/markdown";
import { addComment } from "../../lib/server/services/comments/add-comment";
import { listNotifications, markNotificationsRead, unreadNotificationCount } from "../../lib/server/services/comments/notifications";
import { submitEvidence } from "../../lib/server/services/items/submit-evidence";
import { transitionItem } from "../../lib/server/services/items/transition-item";
import { actorFor, makeProject, makeUser } from "../support/fixtures";

let project: { id: string; slug: string };
const actors: Record<string, Actor> = {};
const emails: Record<string, string> = {};

beforeAll(async () => {
  project = await makeProject();
  const other = await makeProject();
  for (const [key, role, projectId] of [
    ["contributor", "CONTRIBUTOR", project.id],
    ["otherContributor", "CONTRIBUTOR", project.id],
    ["investigator", "INVESTIGATOR", project.id],
    ["reviewer", "REVIEWER", project.id],
    ["stranger", "EDITOR", other.id],
  ] as const) {
    const user = await makeUser({ projectId, role });
    actors[key] = await actorFor(user.id);
    emails[key] = user.email.split("@")[0]!;
  }
});

describe("discussion", () => {
  it("renders Markdown without letting script or raw HTML through", () => {
    const html = renderMarkdown('**bold** <script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) https://example.org');
    expect(html).toContain("<strong>bold</strong>");
    expect(html).not.toMatch(/<script|<img|<[^>]*onerror|href="javascript:/i);
    expect(html).toContain("&lt;script&gt;");
    expect(html).toMatch(/<a href="https:\/\/example.org" target="_blank" rel="noopener noreferrer nofollow">/);
  });

  it("serves no external image in comment HTML: a Markdown image becomes a link", () => {
    const html = renderMarkdown('See ![the shot](https://tracker.example/pixel.png?who=me "t") and ![](https://tracker.example/x.gif) ![y](javascript:alert(1))');
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<a href="https://tracker.example/pixel.png?who=me" target="_blank" rel="noopener noreferrer nofollow">Image: the shot</a>');
    expect(html).toContain('<a href="https://tracker.example/x.gif" target="_blank" rel="noopener noreferrer nofollow">Image: https://tracker.example/x.gif</a>');
    expect(html).not.toMatch(/href="javascript:/i);
  });

  it("notifies mentioned members who can see the item, and nobody else", async () => {
    const item = await submitEvidence(actors.contributor!, { projectId: project.id, title: "Discussed item", sourceUrls: ["https://example.org/d/1"] });
    const body = `@${emails.reviewer} please look. cc @${emails.otherContributor} @${emails.stranger} @nobody`;
    await addComment(actors.investigator!, { itemId: item.id, body });
    expect(await db().notification.count({ where: { itemId: item.id, kind: "MENTION" } })).toBe(1);
    expect(await unreadNotificationCount(actors.reviewer!)).toBe(1);
    expect(await unreadNotificationCount(actors.otherContributor!)).toBe(0); // cannot see the item
    expect(await unreadNotificationCount(actors.stranger!)).toBe(0); // another project
    const [notification] = await listNotifications(actors.reviewer!);
    expect(notification).toMatchObject({ kind: "MENTION", href: `/projects/${project.slug}/items/${item.reference}` });
    // Only one's own notifications can be marked read.
    expect(await markNotificationsRead(actors.investigator!, { ids: [notification!.id] })).toBe(0);
    expect(await markNotificationsRead(actors.reviewer!, { ids: [notification!.id] })).toBe(1);
    expect(await unreadNotificationCount(actors.reviewer!)).toBe(0);
  });

  it("lets contributors discuss only their own items and refuses empty or oversized comments", async () => {
    const mine = await submitEvidence(actors.contributor!, { projectId: project.id, title: "Mine", sourceUrls: ["https://example.org/d/2"] });
    await expect(addComment(actors.contributor!, { itemId: mine.id, body: "More context: filmed from the roof" })).resolves.toEqual({ id: expect.any(String) });
    const codeOf = async (p: Promise<unknown>) => ((await p.then(() => null, (e: unknown) => e)) as DomainError).code;
    expect(await codeOf(addComment(actors.otherContributor!, { itemId: mine.id, body: "hi" }))).toBe("NOT_FOUND");
    expect(await codeOf(addComment(actors.stranger!, { itemId: mine.id, body: "hi" }))).toBe("NOT_FOUND");
    const count = await db().comment.count();
    expect(await codeOf(addComment(actors.investigator!, { itemId: mine.id, body: "   " }))).toBe("VALIDATION");
    expect(await codeOf(addComment(actors.investigator!, { itemId: mine.id, body: "x".repeat(10_001) }))).toBe("VALIDATION");
    expect(await db().comment.count()).toBe(count);
  });

  it("asks the project's reviewers to review when an item is sent to review", async () => {
    const item = await submitEvidence(actors.contributor!, { projectId: project.id, title: "To review", sourceUrls: ["https://example.org/d/3"] });
    await transitionItem(actors.investigator!, { itemId: item.id, action: "triage", expectedVersion: 0 });
    await transitionItem(actors.investigator!, { itemId: item.id, action: "claim", expectedVersion: 1 });
    await db().geolocation.create({ data: { itemId: item.id, authorId: actors.investigator!.userId, latitude: 34.5, longitude: 69.2, precisionM: 100 } });
    await db().chronolocation.create({ data: { itemId: item.id, authorId: actors.investigator!.userId, earliestAt: new Date(), latestAt: new Date(), confidence: "LOW", methods: ["OTHER"] } });
    const before = await unreadNotificationCount(actors.reviewer!);
    await transitionItem(actors.investigator!, { itemId: item.id, action: "send_to_review", expectedVersion: 2 });
    expect(await unreadNotificationCount(actors.reviewer!)).toBe(before + 1);
    expect((await listNotifications(actors.reviewer!))[0]).toMatchObject({ kind: "REVIEW_REQUEST" });
  });

  it("tells the author nothing about who matched a mention (a contributor learns nothing about the team)", async () => {
    const mine = await submitEvidence(actors.contributor!, { projectId: project.id, title: "Probe", sourceUrls: ["https://example.org/d/probe"] });
    const members = await addComment(actors.contributor!, { itemId: mine.id, body: `@${emails.investigator} @${emails.reviewer} is anyone there?` });
    const strangers = await addComment(actors.contributor!, { itemId: mine.id, body: "@nobody-here @not-a-member is anyone there?" });
    // The same answer either way, and nothing but the new comment's id.
    expect(Object.keys(members)).toEqual(["id"]);
    expect(Object.keys(strangers)).toEqual(["id"]);
    // The mentioned members were still told.
    expect(await db().notification.count({ where: { itemId: mine.id, kind: "MENTION" } })).toBe(2);
  });
});
