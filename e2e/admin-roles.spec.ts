// The admin page's role picker (issue 13, item 5): it starts at each person's current role, and
// anything that takes rights away asks first, naming the person, before the server action runs.
import { expect, test, type Page } from "@playwright/test";
import { DEMO_PROJECT, SECOND_PROJECT, demoEmail, logIn, userRow } from "./fixtures";

const EDITOR_NAME = "Elif Editor (demo)";

async function roleShownInList(page: Page, email: string): Promise<string> {
  return (await userRow(page, email).getByRole("listitem").filter({ hasText: DEMO_PROJECT.name }).textContent()) ?? "";
}

test("the role picker starts at the current role; a demotion asks first, and cancelling changes nothing", async ({ page }) => {
  await logIn(page, demoEmail("admin"));
  await page.goto("/admin");

  // Every picker shows the person's own role in the project it starts at (their project).
  for (const [key, project, role] of [
    ["editor", DEMO_PROJECT, "EDITOR"],
    ["reviewer", DEMO_PROJECT, "REVIEWER"],
    ["investigator", DEMO_PROJECT, "INVESTIGATOR"],
    ["contributor", DEMO_PROJECT, "CONTRIBUTOR"],
    ["outsider", SECOND_PROJECT, "INVESTIGATOR"],
  ] as const) {
    const row = userRow(page, demoEmail(key));
    await expect(row.getByLabel("Project").locator("option:checked"), key).toHaveText(project.name);
    await expect(row.getByLabel("Role"), key).toHaveValue(role);
  }
  // Switching the project shows the role there: the outsider is not a member of Demo Witness.
  const outsider = userRow(page, demoEmail("outsider"));
  await outsider.getByLabel("Project").selectOption({ label: DEMO_PROJECT.name });
  await expect(outsider.getByLabel("Role").locator("option:checked")).toHaveText("Not a member");
  await expect(outsider.getByRole("button", { name: "Set role" })).toBeDisabled();

  const row = userRow(page, demoEmail("editor"));
  const role = row.getByLabel("Role");
  await expect(row.getByRole("button", { name: "Set role" })).toBeDisabled();

  // Demoting asks, naming the person, the roles and the project; cancelling sends nothing.
  const questions: string[] = [];
  page.once("dialog", (dialog) => {
    questions.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  await role.selectOption("CONTRIBUTOR");
  await row.getByRole("button", { name: "Set role" }).click();
  await expect.poll(() => questions).toEqual([`confirm: Demote ${EDITOR_NAME} from EDITOR to CONTRIBUTOR in ${DEMO_PROJECT.name}?`]);
  await expect(role).toHaveValue("EDITOR");
  await expect(row.getByRole("status")).toHaveCount(0);
  await page.reload();
  expect(await roleShownInList(page, demoEmail("editor"))).toBe(`${DEMO_PROJECT.name}: EDITOR`);
  await expect(role).toHaveValue("EDITOR");

  // Confirming demotes them.
  page.once("dialog", (dialog) => {
    questions.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.accept();
  });
  await role.selectOption("REVIEWER");
  await row.getByRole("button", { name: "Set role" }).click();
  await expect(row.getByTestId("membership-form").getByRole("status")).toHaveText("Project role saved.");
  expect(questions[1]).toBe(`confirm: Demote ${EDITOR_NAME} from EDITOR to REVIEWER in ${DEMO_PROJECT.name}?`);
  await expect(row.getByRole("listitem").filter({ hasText: DEMO_PROJECT.name })).toHaveText(`${DEMO_PROJECT.name}: REVIEWER`);
  await page.reload();
  await expect(role).toHaveValue("REVIEWER");

  // Promoting them back asks nothing (and restores the seed for the specs that follow).
  let asked = 0;
  const count = () => void asked++;
  page.on("dialog", count);
  await role.selectOption("EDITOR");
  await row.getByRole("button", { name: "Set role" }).click();
  await expect(row.getByRole("listitem").filter({ hasText: DEMO_PROJECT.name })).toHaveText(`${DEMO_PROJECT.name}: EDITOR`);
  await page.reload();
  await expect(role).toHaveValue("EDITOR");
  page.off("dialog", count);
  expect(asked).toBe(0);
});
