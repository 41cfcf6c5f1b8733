// Web hardening seen from a real browser: the per-request CSP nonce lets Next's own scripts run
// (no CSP violations), the security headers are sent, and a server action replayed with a
// foreign Origin is refused by Next's built-in Origin/Host check before it runs.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PROJECT, E2E_BASE_URL, demoEmail, signedInPage } from "./fixtures";

const ITEM_PATH = `/projects/${DEMO_PROJECT.slug}/items/DW-0001`;

function watchCspViolations(page: Page): string[] {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy|Content-Security-Policy/i.test(message.text())) violations.push(message.text());
  });
  return violations;
}

test("pages carry a nonce CSP and the security headers, and render without violations", async ({ browser }) => {
  const { context, page } = await signedInPage(browser, demoEmail("investigator"));
  const violations = watchCspViolations(page);
  for (const path of [`/projects/${DEMO_PROJECT.slug}`, ITEM_PATH]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(200);
    const headers = response!.headers();
    const csp = headers["content-security-policy"] ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce, "a nonce in script-src").toBeTruthy();
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["cross-origin-opener-policy"]).toBe("same-origin");
    // Next stamped its own scripts with this request's nonce.
    expect(await page.locator(`script[nonce]`).count()).toBeGreaterThan(0);
    await expect(page.locator("h1").first()).toBeVisible();
  }
  const cookies = await context.cookies();
  const session = cookies.find((cookie) => cookie.name.endsWith("next-auth.session-token"));
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  expect(violations).toEqual([]);
  await context.close();
});

test("a server action replayed from a foreign origin is refused and changes nothing", async ({ browser }) => {
  const { context, page } = await signedInPage(browser, demoEmail("investigator"));
  await page.goto(ITEM_PATH);
  const comments = page.getByTestId("comments");
  const marker = `hardening-${Date.now().toString(36)}`;

  // A real comment, to capture the exact server-action request the page sends.
  const form = page.getByTestId("comment-form");
  await form.getByLabel(/Comment/).fill(marker);
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === "POST" && !!r.headers()["next-action"]),
    form.getByRole("button", { name: "Comment" }).click(),
  ]);
  await expect(comments).toContainText(marker);
  const count = async () => {
    await page.reload();
    return comments.getByText(marker).count();
  };
  expect(await count()).toBe(1);

  const replay = (origin: string) =>
    page.request.post(request.url(), {
      headers: { ...Object.fromEntries(Object.entries(request.headers()).filter(([name]) => !/^(content-length|host|cookie)$/i.test(name))), origin },
      data: request.postDataBuffer() ?? Buffer.alloc(0),
      maxRedirects: 0,
    });

  const forged = await replay("https://attacker.example");
  expect(forged.status()).toBeGreaterThanOrEqual(400);
  expect(await count()).toBe(1);

  // The same replay from our own origin does run: the refusal above was the Origin check.
  const genuine = await replay(E2E_BASE_URL);
  expect(genuine.status()).toBe(200);
  expect(await count()).toBe(2);
  await context.close();
});
