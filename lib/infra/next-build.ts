// Whether the Next.js build in the dist folder matches the current sources (used by `npm start`
// and `npm run bench:public`, so both build only when something changed).
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { PROJECT_ROOT } from "./config";

const SOURCE_ROOTS = ["app", "components", "lib", "next.config.js", "tsconfig.json", "package-lock.json", "prisma/schema.prisma"];

export function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const visit = (relative: string) => {
    const full = path.join(PROJECT_ROOT, relative);
    if (!existsSync(full)) return;
    if (statSync(full).isDirectory()) {
      for (const name of readdirSync(full).sort()) {
        if (name === "generated" || name === "node_modules" || name.endsWith(".test.ts")) continue;
        visit(path.join(relative, name));
      }
    } else {
      hash.update(relative).update("\0").update(readFileSync(full)).update("\0");
    }
  };
  SOURCE_ROOTS.forEach(visit);
  return hash.digest("hex");
}

export function distDir(): string {
  return path.join(PROJECT_ROOT, process.env.GROUNDTRUTH_NEXT_DIST_DIR || ".next");
}

export function fingerprintFile(): string {
  return path.join(distDir(), "groundtruth-source-fingerprint");
}

export function needsBuild(): boolean {
  if (process.env.GROUNDTRUTH_SKIP_BUILD === "1") return false;
  if (!existsSync(path.join(distDir(), "BUILD_ID")) || !existsSync(fingerprintFile())) return true;
  return readFileSync(fingerprintFile(), "utf8") !== sourceFingerprint();
}

export function nextBin(): string {
  return path.join(PROJECT_ROOT, "node_modules", "next", "dist", "bin", "next");
}
