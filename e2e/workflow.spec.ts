// Two investigators verify an item: A claims it, geolocates it from a map link, bounds the time
// with the sun tool and sends it to review; A cannot approve their own work; reviewer B disputes,
// A corrects, B confirms, and the item is VERIFIED with every step in its history.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PROJECT, demoEmail, signedInPage } from "./fixtures";

// A demo item that is TRIAGED in the seed (Herat, second item).
const ITEM = "DW-0007";
const itemPath = `/projects/${DEMO_PROJECT.slug}/items/${ITEM}`;

async function act(page: Page, label: string) {
  await page.getByTestId("workflow-actions").getByRole("button", { name: label, exact: true }).click();
}

test("claim, geolocate, chronolocate with the sun tool, review, dispute, correct, verify", async ({ browser }) => {
  test.setTimeout(180_000);
  const a = await signedInPage(browser, demoEmail("investigator"));
  const b = await signedInPage(browser, demoEmail("reviewer"));

  await a.page.goto(itemPath);
  await expect(a.page.getByTestId("item-status")).toContainText("Triaged");
  await act(a.page, "Claim");
  await expect(a.page.getByTestId("item-status")).toContainText("In progress");

  // The map works offline (bundled province outlines): clicking it sets the coordinates.
  const geo = a.page.getByTestId("geolocation-form");
  const map = geo.locator(".leaflet-container");
  await expect(map).toBeVisible();
  await map.click();
  await expect(a.page.getByTestId("parsed-point")).toBeVisible();

  // Geolocation from a pasted Google Maps link, read back before submitting.
  await geo.getByLabel(/Coordinates/).fill("https://www.google.com/maps/@34.3529,62.2040,17z");
  await expect(a.page.getByTestId("parsed-point")).toContainText("34.352900, 62.204000");
  await geo.getByLabel(/Vicinity/).check();
  await geo.getByLabel("Method").fill("Road junction and minaret match reference imagery");
  await geo.getByRole("button", { name: "Propose geolocation" }).click();
  await expect(a.page.getByTestId("geolocation-note")).toContainText("34.352900, 62.204000");
  await expect(a.page.getByTestId("geolocation-note")).toContainText("Hirat province");

  // Time window from the sun tool: a measured shadow bearing gives a window to use.
  const sunTool = a.page.getByTestId("sun-tool");
  await sunTool.getByLabel("Day (local)").fill("2025-03-12");
  await a.page.getByTestId("shadow-bearing").fill("300");
  await expect(a.page.getByTestId("shadow-windows").locator("li")).toHaveCount(1);
  await a.page.getByTestId("shadow-windows").getByRole("button", { name: "Use as time window" }).click();
  const chrono = a.page.getByTestId("chronolocation-form");
  await expect(chrono.getByLabel("Earliest (UTC)")).not.toHaveValue("");
  await chrono.getByLabel("Sun and shadows").check();
  await chrono.getByRole("button", { name: "Propose chronolocation" }).click();
  await expect(a.page.getByTestId("chronolocation-note")).toHaveCount(1);

  await act(a.page, "Send to review");
  await expect(a.page.getByTestId("item-status")).toContainText("In review");
  // A proposed the notes: no review controls for A, and no Verify either.
  await expect(a.page.getByTestId("review-geolocation")).toHaveCount(0);
  await expect(a.page.getByRole("button", { name: "Verify", exact: true })).toHaveCount(0);

  // B disputes the geolocation with their own point; the item goes back to A. Reviewing the
  // notes is the only way to verify or dispute: no Verify or Dispute workflow buttons for B either.
  await b.page.goto(itemPath);
  await expect(b.page.getByTestId("workflow-actions").getByRole("button", { name: /^(Verify|Dispute)/ })).toHaveCount(0);
  const reviewGeo = b.page.getByTestId("review-geolocation");
  await reviewGeo.getByLabel("Comment").fill("The minaret is across the road");
  await reviewGeo.getByLabel(/Your own point/).fill("34.3537, 62.2047");
  await reviewGeo.getByRole("button", { name: "Dispute" }).click();
  await expect(b.page.getByTestId("item-status")).toContainText("In progress");
  await expect(b.page.getByTestId("geolocation-note").first()).toContainText(/m from the proposal/);

  // B explains in the discussion and mentions A, who is notified.
  await b.page.getByTestId("comment-form").getByLabel(/Comment/).fill("@investigator the **minaret** is across the road <script>alert(1)</script>");
  await b.page.getByTestId("comment-form").getByRole("button", { name: "Comment" }).click();
  await expect(b.page.getByTestId("comments").locator("strong", { hasText: "minaret" })).toBeVisible();
  await expect(b.page.getByTestId("comments")).toContainText("<script>alert(1)</script>");

  // A corrects and resubmits.
  await a.page.reload();
  await expect(a.page.getByTestId("notifications-link")).toContainText(/\d/);
  await a.page.getByTestId("geolocation-form").getByLabel(/Coordinates/).fill("34°21'13.3\"N 62°12'16.9\"E");
  await a.page.getByTestId("geolocation-form").getByLabel(/Exact/).check();
  await a.page.getByTestId("geolocation-form").getByLabel("Method").fill("Corrected after review: minaret across the road");
  await a.page.getByTestId("geolocation-form").getByRole("button", { name: "Propose geolocation" }).click();
  await expect(a.page.getByTestId("geolocation-note").filter({ hasText: "SUPERSEDED" })).toHaveCount(1);
  await act(a.page, "Send to review");
  await expect(a.page.getByTestId("item-status")).toContainText("In review");

  // B confirms both notes: VERIFIED.
  await b.page.reload();
  await b.page.getByTestId("review-geolocation").getByRole("button", { name: "Confirm" }).click();
  await expect(b.page.getByTestId("geolocation-note").filter({ hasText: "Confirmed by" })).toHaveCount(1);
  // One decision per person: B sees what they decided and may change it, not confirm again.
  for (const reload of [false, true]) {
    if (reload) await b.page.reload();
    const mine = b.page.getByTestId("review-geolocation");
    await expect(mine.getByTestId("own-decision")).toContainText("You confirmed this note");
    await expect(mine.getByRole("button", { name: "Confirm", exact: true })).toHaveCount(0);
    await expect(mine.getByRole("button", { name: "Change to dispute" })).toBeVisible();
  }
  await b.page.getByTestId("review-chronolocation").getByRole("button", { name: "Confirm" }).click();
  await expect(b.page.getByTestId("item-status")).toContainText("Verified");

  const history = b.page.getByTestId("history");
  for (const step of ["item.claim", "geolocation.propose", "chronolocation.propose", "item.send_to_review", "geolocation.dispute", "geolocation.confirm", "chronolocation.confirm"]) {
    await expect(history).toContainText(step);
  }
  await a.context.close();
  await b.context.close();
});

test("a stale page cannot move an item someone else already moved", async ({ browser }) => {
  const first = await signedInPage(browser, demoEmail("investigator"));
  const second = await signedInPage(browser, demoEmail("editor"));
  const path = `/projects/${DEMO_PROJECT.slug}/items/DW-0001`; // SUBMITTED in the seed
  await first.page.goto(path);
  await second.page.goto(path);
  // Keyboard: "t" triages without reaching for the mouse.
  await first.page.keyboard.press("t");
  await expect(first.page.getByTestId("item-status")).toContainText("Triaged");
  await act(second.page, "Mark relevant (triaged)");
  await expect(second.page.getByTestId("action-error")).toContainText(/changed since you loaded it|Reload/);
  await first.context.close();
  await second.context.close();
});
