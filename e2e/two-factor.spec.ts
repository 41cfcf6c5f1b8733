// Two-factor login end to end: a new user (never a demo account: other specs sign in as those)
// enrols on the Account page, signs in with password + code, and an admin resets it.
import { Secret, TOTP } from "otpauth";
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PASSWORD, E2E_BASE_URL, INVALID_LOGIN_MESSAGE, createUserAsAdmin, demoEmail, logIn, signedInPage, submitLogin, uniqueEmail, userRow } from "./fixtures";

const PASSWORD = "e2e-two-factor-password-0123";

/** What an authenticator app shows for `secret`, `offsetSteps` 30-second steps from now. */
function appCode(secret: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: "SHA1", digits: 6, period: 30, timestamp: Date.now() + offsetSteps * 30_000 });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test("a new user turns on two-factor login, then signs in with password and code; an admin resets it", async ({ browser }) => {
  const email = uniqueEmail("two-factor");
  const admin = await signedInPage(browser, demoEmail("admin"));
  await admin.page.goto("/admin");
  const row = await createUserAsAdmin(admin.page, { name: "Tess Two-Factor (e2e)", email, password: PASSWORD });
  await expect(row.getByTestId("two-factor-off")).toBeVisible();

  const user = await signedInPage(browser, email, PASSWORD);
  const page = user.page;
  await page.getByTestId("account-link").click();
  await expect(page.getByRole("heading", { level: 1, name: "Account" })).toBeVisible();
  await expect(page.getByTestId("two-factor-status")).toContainText("Off");

  // Enrol: the key is shown as text for manual entry next to the QR code.
  await page.getByTestId("start-2fa").click();
  await expect(page.getByTestId("totp-qr")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").innerText()).replace(/\s+/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await page.getByTestId("enrol-code").fill(appCode(secret));
  // Enrolling asks for the current password too (a session alone is not enough).
  await page.getByTestId("enrol-password").fill(PASSWORD);
  await page.getByTestId("confirm-2fa").click();

  // Recovery codes are shown once.
  const codes = page.getByTestId("recovery-code");
  await expect(codes).toHaveCount(10);
  for (const code of await codes.allInnerTexts()) expect(code).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
  await expect(page.getByTestId("two-factor-status")).toContainText("On");
  await page.getByTestId("recovery-codes-saved").click();
  await expect(page.getByTestId("recovery-codes")).toHaveCount(0);

  await signOut(page);

  // A wrong password still gets the generic message, and no code field.
  await submitLogin(page, email, `${PASSWORD}-wrong`);
  await expect(page.getByTestId("login-error")).toHaveText(INVALID_LOGIN_MESSAGE);
  await expect(page.getByTestId("login-code")).toHaveCount(0);

  // The right password asks for the code, keeping email and password filled in.
  await submitLogin(page, email, PASSWORD);
  await expect(page.getByTestId("login-code-prompt")).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByLabel("Email")).toHaveValue(email);
  // The next step's code: the enrolment code was spent and cannot be replayed.
  await page.getByTestId("login-code").fill(appCode(secret, 1));
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${E2E_BASE_URL}/`);
  await expect(page.getByTestId("signed-in-as")).toHaveText("Tess Two-Factor (e2e)");

  // The admin sees it on and resets it, confirming with their own password; the user's session ends at once.
  await admin.page.reload();
  const refreshedRow = userRow(admin.page, email);
  await expect(refreshedRow.getByTestId("two-factor-on")).toBeVisible();
  admin.page.once("dialog", (dialog) => {
    expect(dialog.message()).toContain(email);
    void dialog.accept();
  });
  const resetForm = refreshedRow.locator("form", { has: admin.page.getByTestId("reset-2fa") });
  await resetForm.getByTestId("admin-confirm-password").fill(DEMO_PASSWORD);
  await refreshedRow.getByTestId("reset-2fa").click();
  await expect(refreshedRow.getByTestId("two-factor-off")).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Projects" }).click();
  await expect(page).toHaveURL(/\/login$/);
  // Password alone is enough again to sign in; setting two-factor up again needs an admin's code.
  await logIn(page, email, PASSWORD);
  await page.getByTestId("account-link").click();
  await expect(page.getByTestId("enrolment-code-required")).toBeVisible();

  await user.context.close();
  await admin.context.close();
});
