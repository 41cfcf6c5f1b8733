// Shared values and helpers for the end-to-end tests.
import { expect, type Browser, type BrowserContext, type Dialog, type Locator, type Page } from "@playwright/test";

/** Every demo account's password on the e2e server (passed to `npm start` as GROUNDTRUTH_DEMO_PASSWORD). */
export const DEMO_PASSWORD = "e2e-demo-password-0123456789";

// Overridable so that two checkouts on one machine can run their end-to-end tests side by side.
export const E2E_PORT = Number(process.env.GROUNDTRUTH_E2E_PORT ?? 3100);
export const E2E_BASE_URL = `http://127.0.0.1:${E2E_PORT}`;

export const DEMO_DOMAIN = "demo.groundtruth.test";
export const demoEmail = (key: "admin" | "contributor" | "investigator" | "reviewer" | "editor" | "outsider") => `${key}@${DEMO_DOMAIN}`;

export const DEMO_PROJECT = { name: "Demo Witness (fictional)", slug: "demo-witness" } as const;
export const SECOND_PROJECT = { name: "Second Demo Project (fictional)", slug: "second-demo" } as const;

export const INVALID_LOGIN_MESSAGE = "Email or password is incorrect.";

/** Fills the login form and returns once the projects page has loaded for the signed-in user. */
export async function logIn(page: Page, email: string, password: string = DEMO_PASSWORD): Promise<void> {
  await submitLogin(page, email, password);
  await expect(page).toHaveURL(`${E2E_BASE_URL}/`);
  await expect(page.getByRole("heading", { level: 1, name: "Projects" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toBeVisible();
}

/** Fills and submits the login form without waiting for the outcome. */
export async function submitLogin(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** A fresh browser context (own cookies) with a signed-in page. */
export async function signedInPage(browser: Browser, email: string, password?: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, email, password);
  return { context, page };
}

/** The "Not found" page the app shows for unknown pages and for pages the user may not see. */
export async function expectNotFound(page: Page, path: string): Promise<void> {
  const response = await page.goto(path);
  expect(response?.status(), `HTTP status of ${path}`).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
}

/** A unique, lowercase email so tests never depend on each other or on earlier runs. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@e2e.groundtruth.test`;
}

export const userRow = (page: Page, email: string): Locator => page.getByTestId(`user-row-${email}`);

/** On /admin: creates a non-admin user through the "New user" form and waits for its row. */
export async function createUserAsAdmin(page: Page, user: { name: string; email: string; password: string }): Promise<Locator> {
  const form = page.getByRole("region", { name: "New user" });
  await form.getByLabel("Name").fill(user.name);
  await form.getByLabel("Email").fill(user.email);
  await form.getByLabel("Initial password").fill(user.password);
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(form.getByRole("status")).toHaveText("User created.");
  const row = userRow(page, user.email);
  await expect(row).toBeVisible();
  await expect(row.getByText("Active", { exact: true })).toBeVisible();
  return row;
}

/** On /admin: sets a user's role in a project with the membership form in their row. */
export async function setProjectRole(page: Page, email: string, projectName: string, role: string): Promise<void> {
  const row = userRow(page, email);
  await row.getByLabel("Project").selectOption({ label: projectName });
  await row.getByLabel("Role").selectOption(role);
  await submitRoleChange(page, row);
  await expect(row.getByRole("listitem").filter({ hasText: projectName })).toHaveText(`${projectName}: ${role}`);
}

/** Clicks "Set role" in a user's row, accepting the question a demotion or removal asks first. */
export async function submitRoleChange(page: Page, row: Locator): Promise<void> {
  const accept = (dialog: Dialog) => void dialog.accept();
  page.on("dialog", accept);
  try {
    await row.getByRole("button", { name: "Set role" }).click();
    await expect(row.getByTestId("membership-form").getByRole("status")).toHaveText("Project role saved.");
  } finally {
    page.off("dialog", accept);
  }
}
