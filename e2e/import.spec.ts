// A global admin (not a member of the project) imports a TimeMap-style JSON file after a dry
// run, then downloads the project archive and checks every file in it against SHA256SUMS.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, test } from "@playwright/test";
import yauzl from "yauzl";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

const FIXTURES = path.join(__dirname, "..", "tests", "fixtures", "import");
const TIMEMAP = path.join(FIXTURES, "timemap-afghanistan.json");

function zipEntries(file: string): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries = new Map<string, Buffer>();
      zip.on("entry", (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith("/")) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on("data", (c: Buffer) => chunks.push(c));
          stream.on("end", () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(entries));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

test("admin imports a TimeMap file after a dry run and downloads a verifiable project archive", async ({ browser }) => {
  test.setTimeout(180_000);
  const events = JSON.parse(readFileSync(TIMEMAP, "utf8")) as unknown[];
  const { page, context } = await signedInPage(browser, demoEmail("admin"));
  await page.goto("/admin");
  await page.getByTestId(`admin-import-${DEMO_PROJECT.slug}`).click();

  await page.getByTestId("import-file").setInputFiles(TIMEMAP);
  await expect(page.getByTestId("import-run")).toBeDisabled();
  await page.getByTestId("import-check").click();
  const report = page.getByTestId("import-report");
  await expect(report).toBeVisible();
  await expect(page.getByTestId("import-incidents")).toHaveText(String(events.length));
  await expect(page.getByTestId("import-bad-rows")).toHaveText("0");
  await page.getByTestId("import-run").click();
  await expect(page.getByTestId("import-done")).toBeVisible();
  await expect(page.getByTestId("import-incidents")).toHaveText(String(events.length));

  // Checking the same file again finds every row unchanged: nothing new to write.
  await page.getByTestId("import-check").click();
  await expect(page.getByTestId("import-unchanged")).toHaveText(String(events.length));
  await expect(page.getByTestId("import-new")).toHaveText("0");

  await page.goto("/admin");
  const download = page.waitForEvent("download");
  await page.getByTestId(`admin-archive-${DEMO_PROJECT.slug}`).click();
  const file = await (await download).path();
  const entries = await zipEntries(file);
  const sums = entries.get("SHA256SUMS")!.toString("utf8").trim().split("\n");
  expect(sums.length).toBeGreaterThan(10);
  for (const line of sums) {
    const [hash, name] = line.split(/\s+\*?/, 2) as [string, string];
    const bytes = entries.get(name);
    expect(bytes, name).toBeDefined();
    expect(createHash("sha256").update(bytes!).digest("hex"), name).toBe(hash);
  }
  const originals = [...entries.keys()].filter((name) => name.startsWith("originals/"));
  expect(originals.length).toBeGreaterThan(0);
  for (const name of originals) expect(createHash("sha256").update(entries.get(name)!).digest("hex")).toBe(path.basename(name));
  await context.close();
});

test("a sheet with placeholders imports without its bad rows; a newer export is reviewed and only its new rows applied", async ({ browser }) => {
  test.setTimeout(180_000);
  const { page, context } = await signedInPage(browser, demoEmail("admin"));
  await page.goto("/admin");
  await page.getByTestId(`admin-import-${DEMO_PROJECT.slug}`).click();

  // 1. Placeholder text in link columns is a cell warning; two rows have row errors.
  await page.getByTestId("import-file").setInputFiles(path.join(FIXTURES, "timemap-sheet-placeholders.csv"));
  await page.getByTestId("import-preset").selectOption("timemap-sheet");
  await page.getByTestId("import-check").click();
  await expect(page.getByTestId("import-bad-rows")).toHaveText("2");
  await expect(page.getByTestId("import-warned-rows")).toHaveText("3");
  await expect(page.getByTestId("import-cell-warnings")).toContainText('"HIDDEN" in link is not a link');
  await expect(page.getByTestId("import-problems")).toContainText("Give both latitude and longitude");
  // "Nothing until clean" is the default: the import stays disabled.
  await expect(page.getByTestId("import-run")).toBeDisabled();
  const download = page.waitForEvent("download");
  await page.getByTestId("import-download-rejected").click();
  const rejected = readFileSync(await (await download).path(), "utf8");
  expect(rejected).toContain("CIV0105");
  expect(rejected.trim().split("\n")).toHaveLength(3);
  await page.getByTestId("import-skip-errors").check();
  await page.getByTestId("import-run").click();
  await expect(page.getByTestId("import-done")).toBeVisible();
  await expect(page.getByTestId("import-incidents")).toHaveText("5");

  // 2. A first export, then a newer one: review the diff, apply only the new rows.
  await page.getByTestId("import-preset").selectOption("");
  await page.getByTestId("import-file").setInputFiles(path.join(FIXTURES, "timemap-civ-v1.json"));
  await expect(page.getByTestId("import-format")).toHaveValue("timemap-json");
  await page.getByTestId("import-check").click();
  await expect(page.getByTestId("import-new")).toHaveText("4");
  await page.getByTestId("import-run").click();
  await expect(page.getByTestId("import-done")).toBeVisible();

  await page.getByTestId("import-file").setInputFiles(path.join(FIXTURES, "timemap-civ-v2.json"));
  await page.getByTestId("import-check").click();
  // CIV1002 and CIV1003 changed in the newer export (nobody edited them here); CIV1001 and CIV1004 did not.
  await expect(page.getByTestId("import-new")).toHaveText("2");
  await expect(page.getByTestId("import-unchanged")).toHaveText("2");
  await expect(page.getByTestId("import-changed")).toHaveText("2");
  await expect(page.getByTestId("import-diffs")).toContainText("Kharkiv, Barabashovo market");
  await page.getByTestId("import-new-only").check();
  await page.getByTestId("import-run").click();
  await expect(page.getByTestId("import-done")).toBeVisible();
  await expect(page.getByTestId("import-incidents")).toHaveText("2");
  await expect(page.getByTestId("import-updated")).toHaveText("0");

  // Every run is kept for review on the import page.
  await page.reload();
  await expect(page.getByTestId("import-run-row").first()).toContainText("timemap-civ-v2.json");
  expect(await page.getByTestId("import-run-row").count()).toBeGreaterThanOrEqual(3);
  await context.close();
});
