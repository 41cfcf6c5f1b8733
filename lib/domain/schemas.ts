// Input schemas shared by forms (client-side hints) and services (the real check).
import { z } from "zod";
import { PROJECT_ROLES } from "./roles";

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254, "Email is too long")
  .pipe(z.email({ message: "Enter a valid email address" }));

/** Long passphrases welcome; argon2id handles any length, the cap only stops abuse. */
export const newPasswordSchema = z
  .string()
  .min(12, "Use at least 12 characters")
  .max(256, "Use at most 256 characters");

export const loginSchema = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password").max(256, "Password is too long"),
  /** The second factor (TOTP or recovery code), when the account has one; "" means none given. */
  code: z.string().trim().max(64, "Code is too long").optional(),
});

export const idSchema = z.string().trim().min(1).max(64).regex(/^[a-zA-Z0-9_-]+$/, "Malformed id");

export const createUserSchema = z.object({
  email: emailSchema,
  name: z.string().trim().min(1, "Enter a name").max(120, "Name is too long"),
  password: newPasswordSchema,
  isAdmin: z.boolean().default(false),
});

export const projectRoleSchema = z.enum(PROJECT_ROLES);

export const setMembershipSchema = z.object({
  userId: idSchema,
  projectId: idSchema,
  /** null removes the user from the project. */
  role: projectRoleSchema.nullable(),
  /** The role the admin saw (null: not a member); when given, a different current role is a conflict. */
  expectedRole: projectRoleSchema.nullable().optional(),
});

export const setUserActiveSchema = z.object({
  userId: idSchema,
  active: z.boolean(),
});

export const createProjectSchema = z.object({
  name: z.string().trim().min(2, "Enter a project name").max(120),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .min(2)
    .max(48)
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "Use lowercase letters, digits and single hyphens"),
  description: z.string().trim().max(2000).default(""),
});

export type CreateUserInput = z.input<typeof createUserSchema>;
export type SetMembershipInput = z.input<typeof setMembershipSchema>;
export type CreateProjectInput = z.input<typeof createProjectSchema>;

/** Flattens zod issues into { field: [messages] } for forms. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.join(".") || "_form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** Per-project settings an administrator can change. */
export const projectSettingsSchema = z.object({
  projectId: idSchema,
  timeZone: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .refine((zone) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: zone });
        return true;
      } catch {
        return false;
      }
    }, "Use an IANA time zone such as Asia/Kabul"),
  requiredConfirmations: z.coerce.number().int("Use a whole number").min(1, "At least 1").max(5, "At most 5"),
  /** Members without two-factor login lose access to the project until they turn it on. Absent: unchanged. */
  requireTwoFactor: z.boolean().optional(),
});

/** The signed-in person changes their own password: the current one (and code, if they use one) first. */
export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: "Enter your current password" }).min(1, "Enter your current password").max(256, "Password is too long"),
    currentCode: z.string().trim().max(64, "Code is too long").optional(),
    newPassword: newPasswordSchema,
  })
  .refine((value) => value.newPassword !== value.currentPassword, { path: ["newPassword"], message: "Choose a password different from the current one" });
