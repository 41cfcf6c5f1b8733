// Sessions seen from real browsers (issue 14): a cookie copied before sign-out stops working; the
// Account page lists sessions and signs out another one; and on a project that requires
// two-factor login, someone with only the password can neither enrol their own authenticator nor
// keep a session open after the owner enrols elsewhere.
import { Secret, TOTP } from "otpauth";
import { expect, test, type Browser, type Page } from "@playwright/test";
import { DEMO_PASSWORD, DEMO_PROJECT, E2E_BASE_URL, createUserAsAdmin, demoEmail, setProjectRole, signedInPage, uniqueEmail, userRow } from "./fixtures";

const PASSWORD = "e2e-sessions-password-0123";

function appCode(secret: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: Date.now() + offsetSteps * 30_000 });
}

async function newUser(browser: Browser, prefix: string, name: string) {
  const email = uniqueEmail(prefix);
  const admin = await signedInPage(browser, demoEmail("admin"));
  await admin.page.goto("/admin");
  await createUserAsAdmin(admin.page, { name, email, password: PASSWORD });
  return { email, admin };
}

async function expectSignedOut(page: Page, path: string): Promise<void> {
  await page.goto(path);
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveCount(0);
  await expect(page.getByTestId("items-table")).toHaveCount(0);
}

test("a session cookie copied before sign-out is refused afterwards", async ({ browser }) => {
  const { email, admin } = await newUser(browser, "cookie-copy", "Cora Cookie (e2e)");
  await setProjectRole(admin.page, email, DEMO_PROJECT.name, "INVESTIGATOR");
  const victim = await signedInPage(browser, email, PASSWORD);
  await victim.page.goto(`/projects/${DEMO_PROJECT.slug}`);
  await expect(victim.page.getByTestId("items-table")).toBeVisible();
  const copied = (await victim.context.cookies()).filter((cookie) => cookie.name.endsWith("next-auth.session-token"));
  expect(copied).toHaveLength(1);

  await victim.page.getByRole("button", { name: "Sign out" }).click();
  await expect(victim.page).toHaveURL(/\/login$/);

  // Someone replays the copied cookie in their own browser.
  const thief = await browser.newContext();
  await thief.addCookies(copied);
  const page = await thief.newPage();
  await expectSignedOut(page, `/projects/${DEMO_PROJECT.slug}`);
  const exported = await thief.request.get(`/projects/${DEMO_PROJECT.slug}/export/items?format=csv`);
  expect(exported.status()).toBe(401);
  expect(await exported.text()).not.toMatch(/DW-\d{4}/);
  expect(await (await thief.request.get("/api/auth/session")).json()).toEqual({});

  await thief.close();
  await victim.context.close();
  await admin.context.close();
});

test("the Account page lists your sessions and signs out another one, or all others", async ({ browser }) => {
  const { email, admin } = await newUser(browser, "session-list", "Sami Sessions (e2e)");
  await admin.context.close();
  const laptop = await signedInPage(browser, email, PASSWORD);
  const phone = await signedInPage(browser, email, PASSWORD);
  const tablet = await signedInPage(browser, email, PASSWORD);

  await laptop.page.goto("/account");
  const table = laptop.page.getByTestId("sessions-table");
  await expect(table.getByTestId("session-current")).toHaveCount(1);
  await expect(table.getByTestId("session-current")).toContainText("This session");
  await expect(table.getByTestId("session-current")).toContainText(/Chrome on (Windows|Linux|macOS)/);
  await expect(table.getByTestId("session-other")).toHaveCount(2);

  // Signing out one other session: the next click in that browser lands on the login page.
  await table.getByTestId("session-other").first().getByTestId("end-session").click();
  await expect(table.getByTestId("session-other")).toHaveCount(1);
  await phone.page.goto("/account");
  const signedOutFirst = phone.page.url().endsWith("/login") ? phone : tablet;
  const stillIn = signedOutFirst === phone ? tablet : phone;
  await expectSignedOut(signedOutFirst.page, "/account");
  await stillIn.page.goto("/account");
  await expect(stillIn.page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();

  await laptop.page.getByTestId("end-other-sessions").click();
  await expect(table.getByTestId("session-other")).toHaveCount(0);
  await expectSignedOut(stillIn.page, "/account");
  await laptop.page.goto("/account");
  await expect(laptop.page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();

  for (const one of [laptop, phone, tablet]) await one.context.close();
});

test("on a project that requires two-factor login, the password alone cannot enrol, and an old session loses access", async ({ browser }) => {
  test.setTimeout(180_000); // four browsers and two enrolments on a shared 2-core machine
  const slug = `must-2fa-${Date.now().toString(36)}`;
  const projectName = `Must 2FA ${slug}`;
  const { email, admin } = await newUser(browser, "must-2fa", "Mira Must (e2e)");
  // A project of its own that requires two-factor login, with the user as a member.
  const newProject = admin.page.getByRole("region", { name: "New project" });
  await newProject.getByLabel("Name", { exact: true }).fill(projectName);
  await newProject.getByLabel("Short name (URL)").fill(slug);
  await newProject.getByRole("button", { name: "Create project" }).click();
  await expect(newProject.getByRole("status")).toHaveText("Project created.");
  const settingsRow = admin.page.getByTestId("project-settings").getByRole("row").filter({ hasText: slug });
  await settingsRow.getByLabel("Require two-factor login").check();
  await settingsRow.getByRole("button", { name: "Save" }).click();
  await expect(settingsRow.getByRole("status")).toHaveText("Settings saved.");
  await setProjectRole(admin.page, email, projectName, "INVESTIGATOR");

  // Someone who has only the password signs in: the project is withheld, with the reason.
  const attacker = await signedInPage(browser, email, PASSWORD);
  await expect(attacker.page.getByTestId("two-factor-required-notice")).toContainText(projectName);
  await attacker.page.goto(`/projects/${slug}`);
  await expect(attacker.page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();

  // They try to bind their own authenticator, filling in everything they know (the password,
  // their app's code) and a guess for anything else the form asks: it is refused.
  await attacker.page.goto("/account");
  await attacker.page.getByTestId("start-2fa").click();
  const theirSecret = (await attacker.page.getByTestId("totp-secret").innerText()).replace(/\s+/g, "");
  await attacker.page.getByTestId("enrol-code").fill(appCode(theirSecret));
  for (const [testId, value] of [["enrol-password", PASSWORD], ["enrolment-code", "AAAAA-BBBBB-CCCCC-DDDDD"]] as const) {
    const field = attacker.page.getByTestId(testId);
    if (await field.count()) await field.fill(value);
  }
  await attacker.page.getByTestId("confirm-2fa").click();
  await expect(attacker.page.getByTestId("two-factor-error")).toContainText("enrolment code is not valid");
  await expect(attacker.page.getByTestId("two-factor-status")).not.toContainText("On");
  await attacker.page.goto(`/projects/${slug}`);
  await expect(attacker.page.getByRole("heading", { level: 1, name: "Not found" })).toBeVisible();
  // The form says why: an enrolment code from an administrator is needed.
  await attacker.page.goto("/account");
  await expect(attacker.page.getByTestId("enrolment-code")).toBeVisible();

  // The admin issues an enrolment code (confirming with their own password); it is shown once.
  await admin.page.reload();
  const row = userRow(admin.page, email);
  await row.getByText("2FA enrolment code").click();
  const issueForm = row.locator("form", { has: admin.page.getByTestId("issue-enrolment-code") });
  await issueForm.getByTestId("admin-confirm-password").fill(DEMO_PASSWORD);
  await issueForm.getByTestId("issue-enrolment-code").click();
  const enrolmentCode = (await row.getByTestId("enrolment-code-value").innerText()).trim();
  expect(enrolmentCode).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);

  // The owner enrols in their own browser with password, app code and the admin's code.
  const owner = await signedInPage(browser, email, PASSWORD);
  await owner.page.goto("/account");
  await owner.page.getByTestId("start-2fa").click();
  const secret = (await owner.page.getByTestId("totp-secret").innerText()).replace(/\s+/g, "");
  await owner.page.getByTestId("enrol-code").fill(appCode(secret));
  await owner.page.getByTestId("enrol-password").fill(PASSWORD);
  await owner.page.getByTestId("enrolment-code").fill(enrolmentCode);
  await owner.page.getByTestId("confirm-2fa").click();
  await expect(owner.page.getByTestId("recovery-codes")).toBeVisible();
  await expect(owner.page.getByTestId("two-factor-status")).toContainText("On");
  // This browser's fresh session passed the second factor: the project opens.
  await owner.page.goto(`/projects/${slug}`);
  await expect(owner.page.getByRole("heading", { level: 1, name: projectName })).toBeVisible();

  // The password-only session is over: not the project, not even the home page.
  await expectSignedOut(attacker.page, `/projects/${slug}`);
  // Signing in again needs the code now.
  await attacker.page.getByLabel("Email").fill(email);
  await attacker.page.getByLabel("Password").fill(PASSWORD);
  await attacker.page.getByRole("button", { name: "Sign in" }).click();
  await expect(attacker.page.getByTestId("login-code-prompt")).toBeVisible();
  await expect(attacker.page).toHaveURL(`${E2E_BASE_URL}/login`);

  for (const one of [attacker, owner, admin]) await one.context.close();
});
