// A project grows past one page of incidents: the list pages, searches and keeps undated
// incidents apart, the URL holds the view, and the item page's incident picker finds any
// incident by typing, not from a list of the newest few.
import { expect, test } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

const COUNT = 60;
const UNDATED = Array.from({ length: COUNT }, (_, i) => i + 1).filter((n) => n % 6 === 0).length;

function pagingCsv(): Buffer {
  const lines = ["id,title,date,latitude,longitude"];
  for (let n = 1; n <= COUNT; n++) {
    const title = n === 37 ? "Paging check: rocket strike near Zaranj bazaar" : `Paging check incident ${n}`;
    const date = n % 6 === 0 ? "" : `2019-03-${String((n % 28) + 1).padStart(2, "0")}T10:00:00Z`;
    lines.push(`PAGING-${n},${title},${date},31.0${n},61.8${n}`);
  }
  return Buffer.from(lines.join("\n"), "utf8");
}

test("an editor imports sixty incidents, pages through the list, finds one by search and links it from an item by typing", async ({ browser }) => {
  test.setTimeout(180_000);
  const { page, context } = await signedInPage(browser, demoEmail("editor"));
  await page.goto(`/projects/${DEMO_PROJECT.slug}/import`);
  await page.getByTestId("import-file").setInputFiles({ name: "paging.csv", mimeType: "text/csv", buffer: pagingCsv() });
  await page.getByTestId("import-check").click();
  await expect(page.getByTestId("import-new")).toHaveText(String(COUNT));
  await page.getByTestId("import-run").click();
  await expect(page.getByTestId("import-done")).toBeVisible();
  await expect(page.getByTestId("import-incidents")).toHaveText(String(COUNT));

  // Page 1 of at least three at 25 a page; "Next" moves on and the URL keeps the page.
  await page.goto(`/projects/${DEMO_PROJECT.slug}/incidents?size=25`);
  const status = page.getByTestId("incident-pager-status");
  await expect(status).toContainText(/^1–25 of \d+ incidents · page 1 of [3-9]/);
  const firstPage = await page.locator("[data-testid=incident-list] tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-reference")));
  expect(firstPage).toHaveLength(25);
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(status).toContainText(/^26–50 of/);
  const secondPage = await page.locator("[data-testid=incident-list] tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-reference")));
  expect(secondPage.filter((ref) => firstPage.includes(ref))).toEqual([]);

  // Undated incidents are counted apart and can be listed on their own.
  await expect(page.getByTestId("undated-notice")).toContainText("have no known date");
  await page.getByTestId("filter-dated").selectOption("undated");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/dated=undated/);
  const undatedRows = page.locator("[data-testid=incident-list] tbody tr");
  await expect(undatedRows.first()).toContainText("date unknown");
  expect(await undatedRows.count()).toBeGreaterThanOrEqual(UNDATED);
  for (const row of await undatedRows.all()) await expect(row).toContainText("date unknown");

  // Search by a word's beginning, from the keyboard ("/" focuses the box).
  await page.goto(`/projects/${DEMO_PROJECT.slug}/incidents`);
  // Until the page has hydrated a key press reaches nothing, so press until the box has focus.
  await expect(async () => {
    await page.keyboard.press("/");
    await expect(page.getByTestId("incident-search")).toBeFocused({ timeout: 500 });
  }).toPass();
  await page.keyboard.type("zaran");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/q=zaran/);
  const found = page.locator("[data-testid=incident-list] tbody tr");
  await expect(found).toHaveCount(1);
  await expect(found).toContainText("rocket strike near Zaranj bazaar");
  const reference = await found.getAttribute("data-reference");
  expect(reference).toMatch(/^INC-\d{4}$/);

  // The item page's picker searches the whole project as one types.
  await page.goto(`/projects/${DEMO_PROJECT.slug}/items/DW-0004`);
  const picker = page.getByTestId("incident-picker");
  await picker.getByLabel("Incident").fill("zaranj baz");
  const option = picker.getByRole("option", { name: /Zaranj bazaar/ });
  await expect(option).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(picker.getByLabel("Incident")).toHaveValue(new RegExp(`^${reference} · Paging check`));
  await page.getByRole("button", { name: "Link to incident" }).click();
  await expect(page.getByTestId("item-incidents")).toContainText(`${reference} Paging check: rocket strike near Zaranj bazaar`);
  await context.close();
});
