// A contributor collects evidence through the browser: resumable uploads with progress, the
// item page with what the files say about themselves, duplicates flagged, a URL captured.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, logIn } from "./fixtures";

const fixtures = path.resolve(__dirname, "..", "..", "shared", "fixtures");
const video = path.join(fixtures, "video", "fluent-ffmpeg_IMG_0034.MOV");
const photo = path.join(fixtures, "images", "exifr_IMG_20180725_163423-tiny.jpg");
const sha256 = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

async function openSubmitForm(page: Page) {
  await page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await page.getByTestId("submit-link").click();
  await expect(page.getByRole("heading", { level: 1, name: "Submit evidence" })).toBeVisible();
}

/** The worker runs beside the web server; the item page is re-read until its jobs are done. */
async function waitForJobs(page: Page) {
  await expect
    .poll(
      async () => {
        await page.reload();
        const states = await page.getByTestId("jobs").locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-state")));
        return states.length > 0 && states.every((s) => s === "DONE" || s === "FAILED");
      },
      { timeout: 90_000, intervals: [1000, 2000, 3000] },
    )
    .toBe(true);
}

test("a contributor uploads a video and a photo, sees metadata, keyframes and hashes, and is warned of a duplicate", async ({ page }) => {
  test.setTimeout(180_000);
  await logIn(page, demoEmail("contributor"));
  await openSubmitForm(page);
  await page.getByTestId("file-input").setInputFiles([video, photo]);
  const rows = page.getByTestId("upload-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0).getByRole("progressbar")).toBeVisible();
  await expect(rows.nth(0)).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(rows.nth(1)).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await page.getByLabel("Title", { exact: true }).fill("Smoke over a market (e2e)");
  await page.locator("select[name=platform]").selectOption("TELEGRAM");
  await page.getByLabel("Platform upload time (UTC)").fill("2018-07-26T10:00:00");
  await page.getByRole("button", { name: "Submit" }).click();

  await expect(page).toHaveURL(/\/items\/DW-\d{4}$/, { timeout: 30_000 });
  const firstItemUrl = page.url();
  const reference = firstItemUrl.split("/").pop()!;
  await waitForJobs(page);

  const files = page.getByTestId("media-file");
  await expect(files).toHaveCount(2);
  const shas = await page.getByTestId("sha256").allTextContents();
  expect(shas.sort()).toEqual([sha256(video), sha256(photo)].sort());
  await expect(page.getByTestId("gps")).toContainText("50.299603, 14.820294");
  await expect(page.getByTestId("keyframes").locator("img").first()).toBeVisible();
  const keyframe = await page.request.get((await page.getByTestId("keyframes").locator("img").first().getAttribute("src"))!);
  expect(keyframe.headers()["content-type"]).toBe("image/jpeg");
  await expect(page.getByTestId("time-comparison")).toContainText("2018-07-25T16:34:23");
  // The video plays in the page, muted until asked; the stream is the original, logged as a view.
  const player = page.getByTestId("video-player");
  await expect(player).toHaveJSProperty("muted", true);
  const inline = await page.request.get((await player.getAttribute("src"))!);
  expect(inline.headers()["content-type"]).toBe("video/quicktime");
  expect(createHash("sha256").update(await inline.body()).digest("hex")).toBe(sha256(video));
  await expect(page.getByTestId("findings")).not.toHaveCount(0);

  // The custody report lists both files with their hashes.
  await page.getByRole("link", { name: "Chain of custody report" }).click();
  await expect(page.getByTestId("custody-report")).toContainText(sha256(video));

  // The same photo again: the form names the earlier item before anything is submitted.
  await openSubmitForm(page);
  await page.getByTestId("file-input").setInputFiles([photo]);
  await expect(page.getByTestId("upload-row")).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await page.getByLabel("Title", { exact: true }).fill("Same photo again (e2e)");
  await page.getByRole("button", { name: "Submit" }).click();
  const warning = page.getByTestId("duplicate-warning");
  await expect(warning).toContainText("Identical file");
  await expect(warning.getByRole("link", { name: new RegExp(reference) })).toBeVisible();
  await expect(page).toHaveURL(/\/submit$/);
});

test("a source URL on this machine is captured: title, screenshot and HTML", async ({ page }) => {
  test.setTimeout(120_000);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end("<html><head><title>Loopback post e2e</title></head><body><h1>A post that may be deleted</h1></body></html>");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/post/1`;
  try {
    await logIn(page, demoEmail("investigator"));
    await openSubmitForm(page);
    await page.getByLabel("Title", { exact: true }).fill("Post to preserve (e2e)");
    await page.getByLabel(/Source URLs/).fill(url);
    await page.getByRole("button", { name: "Submit" }).click();
    await expect(page).toHaveURL(/\/items\/DW-\d{4}$/, { timeout: 30_000 });
    await waitForJobs(page);
    const captures = page.getByTestId("captures");
    await expect(captures).toContainText("DONE");
    await expect(captures).toContainText("Loopback post e2e");
    await expect(page.getByTestId("media-file").filter({ hasText: "page-screenshot.png" })).toBeVisible();
    await expect(page.getByTestId("media-file").filter({ hasText: "page.html" })).toBeVisible();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
