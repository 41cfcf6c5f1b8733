// What each demo account sees after signing in through the login form.
import { expect, test } from "@playwright/test";
import {
  DEMO_PASSWORD,
  DEMO_PROJECT,
  INVALID_LOGIN_MESSAGE,
  SECOND_PROJECT,
  demoEmail,
  expectNotFound,
  logIn,
  submitLogin,
  userRow,
} from "./fixtures";

// Seed layout (lib/server/seed/demo.ts): 5 cities x 5 statuses, DW-0001..DW-0025. Status index
// 0, 2, 4 of each city is the contributor's; 1 and 3 the investigator's.
const ALL_REFS = Array.from({ length: 25 }, (_, i) => `DW-${String(i + 1).padStart(4, "0")}`);
const CONTRIBUTOR_REFS = ALL_REFS.filter((_, i) => (i % 5) % 2 === 0);
const INVESTIGATOR_REFS = ALL_REFS.filter((_, i) => (i % 5) % 2 === 1);
const CONTRIBUTOR_NAME = "Cyrus Contributor (demo)";
const INVESTIGATOR_NAME = "Iris Investigator (demo)";

test.describe("login form", () => {
  test("wrong password is refused with the generic message", async ({ page }) => {
    await submitLogin(page, demoEmail("editor"), `${DEMO_PASSWORD}-wrong`);
    await expect(page.getByTestId("login-error")).toHaveText(INVALID_LOGIN_MESSAGE);
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  });

  test("unknown email gets the same message as a wrong password", async ({ page }) => {
    await submitLogin(page, `nobody@${demoEmail("admin").split("@")[1]}`, DEMO_PASSWORD);
    await expect(page.getByTestId("login-error")).toHaveText(INVALID_LOGIN_MESSAGE);
    await expect(page).toHaveURL(/\/login$/);
  });

  test("signed-out visitors are sent to the login page", async ({ page }) => {
    await page.goto(`/projects/${DEMO_PROJECT.slug}`);
    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
    await expect(page.getByTestId("items-table")).toHaveCount(0);
  });
});

test.describe("contributor", () => {
  test.beforeEach(async ({ page }) => {
    await logIn(page, demoEmail("contributor"));
  });

  test("sees Demo Witness as CONTRIBUTOR and only their own 15 items", async ({ page }) => {
    const cards = page.getByTestId("project-card");
    await expect(cards).toHaveCount(1);
    await expect(cards).toContainText(DEMO_PROJECT.name);
    await expect(cards).toContainText("CONTRIBUTOR");

    await cards.click();
    await expect(page).toHaveURL(new RegExp(`/projects/${DEMO_PROJECT.slug}$`));
    await expect(page.getByRole("heading", { level: 1, name: DEMO_PROJECT.name })).toBeVisible();
    await expect(page.getByTestId("project-role")).toHaveText("CONTRIBUTOR");
    await expect(page.getByTestId("item-total")).toHaveText("15");

    const table = page.getByTestId("items-table");
    const rows = table.locator("tbody tr");
    await expect(rows).toHaveCount(15);
    // Every row is theirs: the Ref column is exactly their references, "Submitted by" is them.
    expect((await rows.locator("td:nth-child(1)").allTextContents()).sort()).toEqual(CONTRIBUTOR_REFS);
    await expect(rows.locator("td:nth-child(5)")).toHaveText(Array<string>(15).fill(CONTRIBUTOR_NAME));
    await expect(table).not.toContainText(INVESTIGATOR_NAME);
    for (const ref of INVESTIGATOR_REFS) await expect(table.getByText(ref, { exact: true })).toHaveCount(0);

    await expect(page.getByTestId("incidents-table")).toHaveCount(0);
    await expect(page.getByRole("heading", { name: "Incidents" })).toHaveCount(0);
  });

  test("gets not-found on /admin and on a project they are not in", async ({ page }) => {
    await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
    await expectNotFound(page, "/admin");
    await expect(page.getByTestId("users-table")).toHaveCount(0);
    await expectNotFound(page, `/projects/${SECOND_PROJECT.slug}`);
    await expect(page.getByText("Second project confidential item")).toHaveCount(0);
  });
});

for (const role of ["investigator", "reviewer", "editor"] as const) {
  test(`${role} sees all 25 Demo Witness items and the 5 incidents`, async ({ page }) => {
    await logIn(page, demoEmail(role));
    const cards = page.getByTestId("project-card");
    await expect(cards).toHaveCount(1);
    await expect(cards).toContainText(DEMO_PROJECT.name);
    await expect(cards).toContainText(role.toUpperCase());

    await page.goto(`/projects/${DEMO_PROJECT.slug}`);
    await expect(page.getByTestId("project-role")).toHaveText(role.toUpperCase());
    await expect(page.getByTestId("item-total")).toHaveText("25");
    const items = page.getByTestId("items-table").locator("tbody tr");
    await expect(items).toHaveCount(25);
    await expect(items.filter({ hasText: INVESTIGATOR_NAME })).toHaveCount(10);
    await expect(items.filter({ hasText: CONTRIBUTOR_NAME })).toHaveCount(15);

    const incidents = page.getByTestId("incidents-table").locator("tbody tr");
    await expect(incidents).toHaveCount(5);
    await expect(incidents.locator("td:nth-child(1)")).toHaveText(["DW-INC-005", "DW-INC-004", "DW-INC-003", "DW-INC-002", "DW-INC-001"]);

    await expectNotFound(page, "/admin");
    await expectNotFound(page, `/projects/${SECOND_PROJECT.slug}`);
  });
}

test("outsider sees only the second project, never Demo Witness", async ({ page }) => {
  await logIn(page, demoEmail("outsider"));
  const cards = page.getByTestId("project-card");
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText(SECOND_PROJECT.name);
  await expect(cards).toContainText("INVESTIGATOR");
  await expect(page.locator("body")).not.toContainText(DEMO_PROJECT.name);
  await expect(page.locator(`a[href*="${DEMO_PROJECT.slug}"]`)).toHaveCount(0);

  await cards.click();
  await expect(page).toHaveURL(new RegExp(`/projects/${SECOND_PROJECT.slug}$`));
  await expect(page.getByTestId("project-role")).toHaveText("INVESTIGATOR");
  await expect(page.getByTestId("item-total")).toHaveText("2");
  const items = page.getByTestId("items-table").locator("tbody tr");
  await expect(items).toHaveCount(2);
  await expect(items.filter({ hasText: /Second project confidential item \d \(demo\)/ })).toHaveCount(2);
  // Nothing of Demo Witness leaks into the other project's page: not its name, items or incidents.
  await expect(page.locator("body")).not.toContainText("Demo Witness");
  await expect(page.locator("body")).not.toContainText("DW-");
  await expect(page.getByTestId("incidents-table").locator("tbody tr")).toHaveCount(0);

  await expectNotFound(page, `/projects/${DEMO_PROJECT.slug}`);
  await expect(page.locator("body")).not.toContainText("Demo Witness");
  await expectNotFound(page, "/admin");
});

test("admin sees the users table and both projects as not a member, but no evidence", async ({ page }) => {
  await logIn(page, demoEmail("admin"));
  const cards = page.getByTestId("project-card");
  await expect(cards).toHaveCount(2);
  for (const project of [DEMO_PROJECT, SECOND_PROJECT]) {
    const card = cards.filter({ hasText: project.name });
    await expect(card).toHaveCount(1);
    await expect(card).toContainText("Not a member");
  }
  await expect(page.getByRole("link", { name: DEMO_PROJECT.name })).toHaveCount(0);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Administration" })).toBeVisible();
  await expect(page.getByTestId("users-table")).toBeVisible();
  for (const key of ["admin", "contributor", "investigator", "reviewer", "editor", "outsider"] as const) {
    await expect(userRow(page, demoEmail(key))).toBeVisible();
  }
  // The admin cannot deactivate themselves; everyone else has the button.
  await expect(userRow(page, demoEmail("admin")).getByRole("button", { name: "Deactivate" })).toHaveCount(0);
  await expect(userRow(page, demoEmail("reviewer")).getByRole("button", { name: "Deactivate" })).toBeVisible();
  await expect(page.getByTestId("audit-status")).toContainText("Intact");

  await expectNotFound(page, `/projects/${DEMO_PROJECT.slug}`);
  await expect(page.getByTestId("items-table")).toHaveCount(0);
  await expectNotFound(page, `/projects/${SECOND_PROJECT.slug}`);
});
