import { describe, expect, it } from "vitest";
import { productionConfigProblems, secretProblem } from "./production-config";

const GOOD_SECRET = "q3J9vX2mL8pR4tY7wZ1aB5cD6eF0gH2k";
const base = { DATABASE_URL: "postgresql://gt:pw@db:5432/groundtruth", NEXTAUTH_SECRET: GOOD_SECRET, NEXTAUTH_URL: "https://gt.example.org" };

describe("secretProblem", () => {
  it.each([
    [undefined, /not set/],
    ["", /not set/],
    ["short-but-random-9X", /too short/],
    ["changeme", /placeholder/],
    ["CHANGEME-changeme-changeme-changeme", /placeholder/],
    ["a".repeat(64), /distinct/],
    ["abababababababababababababababababab", /distinct/],
  ])("refuses %j", (secret, problem) => {
    expect(secretProblem(secret)).toMatch(problem);
  });

  it("accepts a random 32-character secret", () => {
    expect(secretProblem(GOOD_SECRET)).toBeNull();
  });
});

describe("productionConfigProblems", () => {
  it("accepts a complete local-storage web configuration", () => {
    expect(productionConfigProblems(base, "web")).toEqual([]);
  });

  it("refuses a session lifetime or idle timeout that is not a positive number of minutes", () => {
    expect(productionConfigProblems({ ...base, GROUNDTRUTH_SESSION_IDLE_MINUTES: "0" }, "web")).toEqual([expect.stringMatching(/GROUNDTRUTH_SESSION_IDLE_MINUTES/)]);
    expect(productionConfigProblems({ ...base, GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: "12h" }, "web")).toEqual([expect.stringMatching(/GROUNDTRUTH_SESSION_MAX_AGE_MINUTES/)]);
    expect(productionConfigProblems({ ...base, GROUNDTRUTH_SESSION_MAX_AGE_MINUTES: "480", GROUNDTRUTH_SESSION_IDLE_MINUTES: "30" }, "web")).toEqual([]);
  });

  it("names each missing setting on its own line", () => {
    const problems = productionConfigProblems({}, "web");
    expect(problems).toHaveLength(3);
    expect(problems.join("\n")).toMatch(/DATABASE_URL/);
    expect(problems.join("\n")).toMatch(/NEXTAUTH_SECRET/);
    expect(problems.join("\n")).toMatch(/NEXTAUTH_URL/);
  });

  it("does not ask a worker for the session secret or the public URL", () => {
    const workerEnv = { DATABASE_URL: base.DATABASE_URL };
    expect(productionConfigProblems(workerEnv, "worker")).toEqual([]);
    expect(productionConfigProblems(workerEnv, "web")).toHaveLength(2);
  });

  it.each([
    [{ GROUNDTRUTH_STORAGE: "s3" }, /GROUNDTRUTH_S3_ENDPOINT, GROUNDTRUTH_S3_BUCKET, GROUNDTRUTH_S3_ACCESS_KEY_ID, GROUNDTRUTH_S3_SECRET_ACCESS_KEY/],
    [{ GROUNDTRUTH_STORAGE: "s3", GROUNDTRUTH_S3_ENDPOINT: "s3.example.org", GROUNDTRUTH_S3_BUCKET: "b", GROUNDTRUTH_S3_ACCESS_KEY_ID: "k", GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "s" }, /http\(s\) URL/],
    [{ GROUNDTRUTH_STORAGE: "ftp" }, /"local" or "s3"/],
    [{ DATABASE_URL: "mysql://x" }, /postgresql:\/\//],
    [{ NEXTAUTH_URL: "gt.example.org" }, /NEXTAUTH_URL must be/],
    [{ GROUNDTRUTH_TRUSTED_PROXIES: "10.0.0.0/8, nginx-host" }, /GROUNDTRUTH_TRUSTED_PROXIES: "nginx-host"/],
    [{ GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "never" }, /GROUNDTRUTH_TOKEN_DEFAULT_DAYS must be/],
    [{ GROUNDTRUTH_TOKEN_MAX_DAYS: "1000" }, /GROUNDTRUTH_TOKEN_MAX_DAYS must be/],
  ])("reports %j", (override, problem) => {
    const problems = productionConfigProblems({ ...base, ...override }, "web");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it("accepts trusted proxies and token lifetimes", () => {
    expect(productionConfigProblems({ ...base, GROUNDTRUTH_TRUSTED_PROXIES: "10.0.0.5, 10.1.0.0/16, fd00::/8", GROUNDTRUTH_TOKEN_DEFAULT_DAYS: "30", GROUNDTRUTH_TOKEN_MAX_DAYS: "90" }, "web")).toEqual([]);
  });

  it("accepts complete S3 settings", () => {
    const env = { ...base, GROUNDTRUTH_STORAGE: "s3", GROUNDTRUTH_S3_ENDPOINT: "https://s3.example.org", GROUNDTRUTH_S3_BUCKET: "b", GROUNDTRUTH_S3_ACCESS_KEY_ID: "k", GROUNDTRUTH_S3_SECRET_ACCESS_KEY: "s" };
    expect(productionConfigProblems(env, "web")).toEqual([]);
  });
});
