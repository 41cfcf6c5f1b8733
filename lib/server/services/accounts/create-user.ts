import "server-only";
import { conflict, forbidden } from "@/lib/domain/errors";
import { auditActorId, can, type Actor } from "@/lib/domain/permissions";
import { createUserSchema } from "@/lib/domain/schemas";
import { appendAuditEvent } from "../../audit";
import { db } from "../../db";
import { hashPassword } from "../../passwords";
import { parseInput } from "../../validation";
import { isUniqueViolation } from "../../prisma-errors";

export interface CreatedUser {
  id: string;
  email: string;
  name: string;
  isAdmin: boolean;
}

export async function createUser(actor: Actor, input: unknown): Promise<CreatedUser> {
  if (!can(actor, "user:manage", { kind: "system" })) throw forbidden();
  const data = parseInput(createUserSchema, input);
  const passwordHash = await hashPassword(data.password);
  try {
    return await db().$transaction(async (tx) => {
      const user = await tx.user.create({
        data: { email: data.email, name: data.name, isAdmin: data.isAdmin, passwordHash },
        select: { id: true, email: true, name: true, isAdmin: true },
      });
      await appendAuditEvent(tx, {
        actorId: auditActorId(actor),
        projectId: null,
        action: "user.create",
        entityType: "User",
        entityId: user.id,
        after: user,
      });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A user with the email ${data.email} already exists.`);
    throw error;
  }
}
