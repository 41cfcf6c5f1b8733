// Account changes made by an admin take effect on the affected user's very next request,
// without them signing in again. Each test makes its own user, so order does not matter.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PROJECT, createUserAsAdmin, demoEmail, logIn, setProjectRole, signedInPage, submitRoleChange, uniqueEmail, userRow } from "./fixtures";

const PASSWORD = "e2e-user-password-0123";

test("deactivating a user ends their session at once; reactivating lets them back in", async ({ browser }) => {
  const email = uniqueEmail("deactivate");
  const admin = await signedInPage(browser, demoEmail("admin"));
  await admin.page.goto("/admin");
  await createUserAsAdmin(admin.page, { name: "Dana Deactivated (e2e)", email, password: PASSWORD });
  await setProjectRole(admin.page, email, DEMO_PROJECT.name, "REVIEWER");

  // The user signs in in their own browser context and opens the project.
  const user = await signedInPage(browser, email, PASSWORD);
  await user.page.getByTestId("project-card").filter({ hasText: DEMO_PROJECT.name }).click();
  await expect(user.page.getByTestId("project-role")).toHaveText("REVIEWER");
  await expect(user.page.getByTestId("items-table")).toBeVisible();

  // The admin deactivates them, confirming the browser dialog.
  const row = userRow(admin.page, email);
  admin.page.once("dialog", (dialog) => {
    expect(dialog.type()).toBe("confirm");
    expect(dialog.message()).toContain(email);
    void dialog.accept();
  });
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(row.getByText("Deactivated", { exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Reactivate" })).toBeVisible();

  // The user's next click lands on the login page, with no evidence shown.
  await user.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await expect(user.page).toHaveURL(/\/login$/);
  await expect(user.page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(user.page.getByTestId("items-table")).toHaveCount(0);
  // The top bar no longer shows them as signed in.
  await expect(user.page.getByTestId("signed-in-as")).toHaveCount(0);
  // Reloading does not bring the project back either.
  await user.page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await expect(user.page).toHaveURL(/\/login$/);
  await expect(user.page.getByTestId("items-table")).toHaveCount(0);

  // Signing in again is refused with the same message as a wrong password: the form must not
  // confirm that the password is right.
  await user.page.getByLabel("Email").fill(email);
  await user.page.getByLabel("Password").fill(PASSWORD);
  await user.page.getByRole("button", { name: "Sign in" }).click();
  await expect(user.page.getByTestId("login-error")).toHaveText("Email or password is incorrect.");
  await expect(user.page).toHaveURL(/\/login$/);

  // Reactivation (no confirmation dialog) lets them sign in again with the same password.
  await row.getByRole("button", { name: "Reactivate" }).click();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  await logIn(user.page, email, PASSWORD);
  await user.page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await expect(user.page.getByTestId("project-role")).toHaveText("REVIEWER");
  await expect(user.page.getByTestId("item-total")).toHaveText("25");

  await user.context.close();
  await admin.context.close();
});

test("a role change applies on the user's next page load without signing in again", async ({ browser }) => {
  const email = uniqueEmail("role-change");
  const admin = await signedInPage(browser, demoEmail("admin"));
  await admin.page.goto("/admin");
  await createUserAsAdmin(admin.page, { name: "Rhea Role-change (e2e)", email, password: PASSWORD });
  await setProjectRole(admin.page, email, DEMO_PROJECT.name, "INVESTIGATOR");

  const user = await signedInPage(browser, email, PASSWORD);
  await user.page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await expect(user.page.getByTestId("project-role")).toHaveText("INVESTIGATOR");
  await expect(user.page.getByTestId("item-total")).toHaveText("25");
  await expect(user.page.getByTestId("items-table").locator("tbody tr")).toHaveCount(25);
  await expect(user.page.getByTestId("incidents-table")).toBeVisible();

  await setProjectRole(admin.page, email, DEMO_PROJECT.name, "CONTRIBUTOR");

  // Same session, next load: a contributor sees only their own items (none) and no incidents.
  await user.page.reload();
  await expect(user.page).toHaveURL(new RegExp(`/projects/${DEMO_PROJECT.slug}$`));
  await expect(user.page.getByTestId("project-role")).toHaveText("CONTRIBUTOR");
  await expect(user.page.getByTestId("item-total")).toHaveText("0");
  await expect(user.page.getByTestId("items-table")).toHaveCount(0);
  await expect(user.page.getByText("No items yet.")).toBeVisible();
  await expect(user.page.getByTestId("incidents-table")).toHaveCount(0);

  // Removing them from the project makes it disappear for them, again without a new login.
  await setProjectRoleRemoved(admin.page, email);
  await user.page.reload();
  await expect(user.page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  await expect(user.page.getByTestId("project-role")).toHaveCount(0);

  await user.context.close();
  await admin.context.close();
});

async function setProjectRoleRemoved(page: Page, email: string): Promise<void> {
  const row = userRow(page, email);
  await row.getByLabel("Project").selectOption({ label: DEMO_PROJECT.name });
  await row.getByLabel("Role").selectOption({ label: "Remove from project" });
  await submitRoleChange(page, row);
  await expect(row.getByText("No projects")).toBeVisible();
}
