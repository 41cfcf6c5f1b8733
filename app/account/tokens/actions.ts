"use server";
// Public endpoints: runAction re-reads the session from the database (a token cannot reach
// these: they need a signed-in session), and the services check and parse everything.
import { revalidatePath } from "next/cache";
import { runAction, type ActionResult } from "@/lib/server/action-result";
import { createToken } from "@/lib/server/services/tokens/create-token";
import { revokeToken } from "@/lib/server/services/tokens/revoke-token";

export interface NewTokenView {
  name: string;
  prefix: string;
  token: string;
}

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : undefined;
};

export async function createTokenAction(_previous: unknown, form: FormData): Promise<ActionResult<NewTokenView>> {
  const expiry = text(form, "expiresInDays");
  const result = await runAction(async (actor) => {
    const created = await createToken(actor, {
      name: text(form, "name"),
      projectId: text(form, "projectId") || undefined,
      scopes: form.getAll("scopes").filter((s) => typeof s === "string"),
      expiresInDays: expiry ? Number(expiry) : undefined,
    });
    return { name: created.name, prefix: created.prefix, token: created.token };
  }, "Token created. Copy it now: it will not be shown again.");
  if (result.ok) revalidatePath("/account/tokens");
  return result;
}

export async function revokeTokenAction(_previous: unknown, form: FormData): Promise<ActionResult> {
  const result = await runAction(async (actor) => {
    await revokeToken(actor, { tokenId: text(form, "tokenId") });
    return null;
  }, "Token revoked.");
  if (result.ok) revalidatePath("/account/tokens");
  return result;
}
