// The demo is the first thing a newcomer sees, so it must show what the app really does: its
// seeded files go through the same processing as uploads (read by the worker that `npm start`
// runs), so an item page shows what the file says and a preview that loads, and the publish
// panel has a picture to mark blur regions on. Read-only: runs with the specs that count items.
import { expect, test, type Locator } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

const itemPath = (ref: string) => `/projects/${DEMO_PROJECT.slug}/items/${ref}`;

/** The image has loaded real pixels (a broken or empty image has naturalWidth 0). */
async function expectLoaded(image: Locator) {
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), { timeout: 15_000 }).toBeGreaterThan(0);
}

test("a demo item shows what its file says and a thumbnail that loads", async ({ browser }) => {
  test.setTimeout(150_000);
  const { context, page } = await signedInPage(browser, demoEmail("investigator"));
  // The worker processes the seeded files right after the first start; allow it to catch up.
  await expect(async () => {
    await page.goto(itemPath("DW-0001"));
    await expect(page.getByTestId("time-comparison")).not.toContainText("not read yet", { timeout: 1_000 });
    await expect(page.getByTestId("thumbnail")).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 120_000 });

  const file = page.getByTestId("media-file");
  await expect(file).toHaveCount(1);
  await expect(file).toContainText("DW-0001.jpg");
  // What the (fictional) phone wrote: camera, local time with its offset, GPS near Kabul.
  await expect(page.getByTestId("time-comparison")).toContainText("+04:30");
  await expect(file.getByText("Fictional Phone Co FP-7 demo")).toBeVisible();
  await expect(file.getByTestId("gps")).toHaveText(/^34\.528\d+, 69\.172\d+/);
  await expect(file).toContainText("640 × 400");
  await expectLoaded(file.getByTestId("thumbnail"));
  await context.close();
});

test("the publish panel of a verified demo item shows its picture to mark blur regions on", async ({ browser }) => {
  test.setTimeout(150_000);
  const { context, page } = await signedInPage(browser, demoEmail("editor"));
  await expect(async () => {
    await page.goto(itemPath("DW-0010"));
    await expect(page.getByTestId("publish-item-form").locator(".region-canvas img")).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 120_000 });
  await expectLoaded(page.getByTestId("publish-item-form").locator(".region-canvas img"));
  await context.close();
});
