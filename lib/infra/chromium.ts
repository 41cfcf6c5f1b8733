// Headless Chromium as this project runs it (URL capture and the e2e tests): Debian's build at
// /usr/bin/chromium, quiet on a closed network.
import { existsSync } from "node:fs";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/** The system Chromium, or undefined to let Playwright use its own build. */
export function systemChromiumPath(): string | undefined {
  return CANDIDATES.find((candidate) => existsSync(candidate));
}

/** As root Chromium needs --no-sandbox; the rest stop it calling home on a closed network. */
export const CHROMIUM_BASE_ARGS = [
  "--no-sandbox",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-gpu",
] as const;
