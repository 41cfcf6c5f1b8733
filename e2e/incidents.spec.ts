// An editor creates an incident, links two verified items as evidence and one unverified item
// as a lead, and sees all three on the incident's map and timeline, with the lead kept apart.
import { expect, test } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

// Demo items: the fifth item of each city is VERIFIED (DW-0005 Kabul, DW-0010 Herat); DW-0009 is IN_REVIEW (notes, not yet verified).
const VERIFIED = ["DW-0005", "DW-0010"];
const UNVERIFIED = "DW-0009";

test("editor creates an incident, links two verified items and a lead, sees them on map and timeline", async ({ browser }) => {
  test.setTimeout(120_000);
  const { page, context } = await signedInPage(browser, demoEmail("editor"));
  await page.goto(`/projects/${DEMO_PROJECT.slug}/incidents`);
  await page.getByTestId("new-incident").click();

  const form = page.getByTestId("incident-form");
  await form.getByLabel("Title").fill("E2E: explosion near the ministry (fictional)");
  await form.getByLabel("Type").selectOption("IED");
  await form.getByLabel("Start").fill("2024-05-02T08:10");
  await form.getByLabel("End").fill("2024-05-02T08:40");
  await form.getByLabel(/Coordinates/).fill("34.5281, 69.1723");
  await form.getByLabel(/Locality/).check();
  await form.getByLabel("Group").fill("Fictional Group B");
  await form.getByLabel("Attributed to").fill("Fictional Group A");
  await form.getByLabel("Killed, at least").fill("2");
  await form.getByLabel("at most").first().fill("4");
  await form.getByRole("button", { name: "Create incident" }).click();

  await expect(page).toHaveURL(/\/incidents\/INC-\d{4}$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("E2E: explosion near the ministry");
  // What the group claimed and what analysts attribute stay separate.
  await expect(page.getByTestId("claim-section")).toContainText("Fictional Group B");
  await expect(page.getByTestId("attribution-section")).toContainText("Fictional Group A");

  const linkForm = page.getByTestId("link-item-form");
  for (const reference of VERIFIED) {
    await linkForm.getByLabel("Item reference").fill(reference);
    await linkForm.getByLabel("Relation").fill("Shows the aftermath");
    await linkForm.getByRole("button", { name: "Link item" }).click();
    await expect(page.getByTestId("incident-evidence")).toContainText(reference);
  }
  // An unverified item is refused as evidence, accepted as a lead.
  await linkForm.getByLabel("Item reference").fill(UNVERIFIED);
  await linkForm.getByRole("button", { name: "Link item" }).click();
  // Wait for this refusal itself (not any live region such as Next's route announcer), so the
  // next submission cannot overlap it. The refused reference stays in the field to correct.
  await expect(linkForm.getByTestId("action-error")).toContainText(/verified|lead/i);
  await expect(linkForm.getByLabel("Item reference")).toHaveValue(UNVERIFIED);
  await linkForm.getByLabel("as unverified lead").check();
  await linkForm.getByRole("button", { name: "Link item" }).click();
  await expect(page.getByTestId("incident-evidence")).toContainText(UNVERIFIED);

  await expect(page.getByTestId("verified-evidence-count")).toHaveText("2");
  await expect(page.getByTestId("lead-count")).toHaveText("1");
  await expect(page.locator("tr[data-lead=true]")).toContainText("unverified lead");

  // Map: the incident plus the located evidence; timeline: the incident window and the items, the lead dashed.
  await expect(page.locator(".leaflet-container")).toBeVisible();
  const timeline = page.getByTestId("incident-timeline");
  await expect(timeline.locator("g[data-kind=evidence]")).toHaveCount(2);
  await expect(timeline.locator("g[data-kind=lead]")).toHaveCount(1);
  await expect(timeline.locator("g[data-kind=incident]")).toHaveCount(1);
  await context.close();
});
