// An investigator works the review queue: filters by province and status (the URL carries the
// view), saves it, reopens it from the saved-view list, and bulk-assigns ten items with a
// per-item report.
import { expect, test } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

const queuePath = `/projects/${DEMO_PROJECT.slug}/queue`;

test("filter by province and status, save the view, bulk-assign ten items", async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, context } = await signedInPage(browser, demoEmail("investigator"));
  await page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await page.getByTestId("queue-link").click();
  await expect(page.getByRole("heading", { level: 1, name: /Review queue/ })).toBeVisible();

  const filters = page.getByTestId("queue-filters");
  await filters.getByTestId("filter-province").selectOption("Kabul");
  await filters.getByLabel("Verified", { exact: true }).check();
  await filters.getByLabel("In review", { exact: true }).check();
  // Published too: the publishing spec may have published the Kabul item (and normally retracts it).
  await filters.getByLabel("Published", { exact: true }).check();
  await filters.getByTestId("apply-filters").click();
  await expect(page).toHaveURL(/province=Kabul/);
  await expect(page).toHaveURL(/status=IN_REVIEW,PUBLISHED,VERIFIED/);
  const rows = page.getByTestId("queue-row");
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) await expect(row).toContainText("Kabul");

  // Save it, leave, and come back through the saved view: same URL, same rows.
  await page.getByTestId("view-name").fill("Kabul late stages");
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(page.getByText("Saved view “Kabul late stages”.")).toBeVisible();
  const viewUrl = page.url();
  await page.goto(queuePath);
  await expect(page.getByTestId("queue-total")).not.toContainText(/^2 items/);
  await page.getByTestId("saved-view").filter({ hasText: "Kabul late stages" }).click();
  await expect(page).toHaveURL(viewUrl);
  await expect(rows).toHaveCount(2);

  // A shared link with nonsense values falls back to defaults with a notice, not an error.
  await page.goto(`${queuePath}?status=BOGUS&page=-3&sort=password`);
  await expect(page.getByTestId("queue-problems")).toContainText("status=BOGUS");
  await expect(rows.first()).toBeVisible();

  // Bulk-assign ten open items to the reviewer, selecting with the keyboard.
  await page.goto(`${queuePath}?status=SUBMITTED,TRIAGED,IN_PROGRESS&sort=reference&dir=asc`);
  await expect(rows.nth(9)).toBeVisible();
  await rows.first().focus();
  for (let n = 0; n < 10; n++) {
    await page.keyboard.press("x");
    await page.keyboard.press("j");
  }
  const bar = page.getByTestId("bulk-bar");
  await expect(bar).toContainText("10 selected");
  await bar.getByTestId("bulk-kind").selectOption("assign");
  await bar.getByTestId("bulk-assignee").selectOption({ label: "Rami Reviewer (demo)" });
  await bar.getByTestId("bulk-apply").click();
  const report = page.getByTestId("bulk-report");
  await expect(report).toContainText("Applied to all 10 items.");
  await expect(report.locator("tbody tr")).toHaveCount(10);

  // The reviewer now sees them under "assigned to me".
  const reviewer = await signedInPage(browser, demoEmail("reviewer"));
  await reviewer.page.goto(`${queuePath}?assignee=me`);
  await expect(reviewer.page.getByTestId("queue-total")).toContainText(/^10 items/);
  await reviewer.context.close();
  await context.close();
});
