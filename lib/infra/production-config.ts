// What a production web or worker process needs from its environment, checked before it starts
// so a misconfigured instance refuses to run instead of failing on its first request.
import { tokenLifetimeSettings } from "@/lib/domain/api-tokens";
import { parseTrustedProxies } from "@/lib/domain/client-address";
import { sessionPolicyFromEnv } from "../domain/sessions";

/** Values people paste from examples; a secret equal to one of these is as good as none. */
const PLACEHOLDER_SECRETS = new Set([
  "changeme",
  "change-me",
  "change_me",
  "changeit",
  "secret",
  "password",
  "replace-me",
  "replaceme",
  "your-secret",
  "your_secret",
  "yoursecret",
  "your-secret-here",
  "nextauth-secret",
  "nextauth_secret",
  "development-secret",
  "insecure",
]);

export const MIN_SECRET_LENGTH = 32;

const S3_REQUIRED = ["GROUNDTRUTH_S3_ENDPOINT", "GROUNDTRUTH_S3_BUCKET", "GROUNDTRUTH_S3_ACCESS_KEY_ID", "GROUNDTRUTH_S3_SECRET_ACCESS_KEY"] as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Why NEXTAUTH_SECRET is unusable, or null when it is acceptable. */
export function secretProblem(secret: string | undefined): string | null {
  const value = secret?.trim() ?? "";
  if (!value) return "NEXTAUTH_SECRET is not set: use at least 32 random characters (openssl rand -base64 32).";
  const lowered = value.toLowerCase();
  const stripped = lowered.replace(/[^a-z]/g, "");
  if (PLACEHOLDER_SECRETS.has(lowered) || [...PLACEHOLDER_SECRETS].some((p) => stripped.includes(p.replace(/[^a-z]/g, "")) && stripped.length < 40)) {
    return "NEXTAUTH_SECRET is a placeholder value: generate a real one (openssl rand -base64 32).";
  }
  if (value.length < MIN_SECRET_LENGTH) return `NEXTAUTH_SECRET is too short (${value.length} characters): use at least ${MIN_SECRET_LENGTH} random characters.`;
  // A long run of one character or a short repeated pattern is long but not secret.
  if (new Set(value).size < 10) return "NEXTAUTH_SECRET has too few distinct characters to be random: generate one (openssl rand -base64 32).";
  return null;
}

/**
 * Every problem with the environment of a production process, one clear line each (empty when
 * it may start). `web` adds what only the web tier needs (the session secret and the public base URL).
 */
export function productionConfigProblems(env: Env, role: "web" | "worker"): string[] {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL?.trim();
  if (!databaseUrl) problems.push("DATABASE_URL is not set: point it at your PostgreSQL server (postgresql://user:password@host:5432/groundtruth).");
  else if (!/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push("DATABASE_URL must be a postgresql:// URL.");

  if (role === "web") {
    // Only the web tier signs and reads sessions; workers never see one.
    const secret = secretProblem(env.NEXTAUTH_SECRET);
    if (secret) problems.push(secret);
    const publicUrl = env.NEXTAUTH_URL?.trim();
    if (!publicUrl) problems.push("NEXTAUTH_URL is not set: use the public base URL users open, e.g. https://groundtruth.example.org.");
    else if (!isHttpUrl(publicUrl)) problems.push(`NEXTAUTH_URL must be an http(s) URL, got "${publicUrl}".`);
    try {
      sessionPolicyFromEnv(env);
    } catch (error) {
      problems.push((error as Error).message);
    }
    // A typo here must not silently trust nobody (every user behind the proxy shares one
    // address) or the wrong hosts.
    problems.push(...parseTrustedProxies(env.GROUNDTRUTH_TRUSTED_PROXIES).problems);
    problems.push(...tokenLifetimeSettings(env).problems);
  }

  const storage = env.GROUNDTRUTH_STORAGE?.trim() || "local";
  if (storage === "s3") {
    const missing = S3_REQUIRED.filter((name) => !env[name]?.trim());
    if (missing.length > 0) problems.push(`GROUNDTRUTH_STORAGE=s3 needs ${missing.join(", ")}.`);
    const endpoint = env.GROUNDTRUTH_S3_ENDPOINT?.trim();
    if (endpoint && !isHttpUrl(endpoint)) problems.push(`GROUNDTRUTH_S3_ENDPOINT must be an http(s) URL, got "${endpoint}".`);
  } else if (storage !== "local") {
    problems.push(`GROUNDTRUTH_STORAGE must be "local" or "s3", got "${storage}".`);
  }
  return problems;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}
