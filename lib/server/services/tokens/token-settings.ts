import "server-only";
import { tokenLifetimeSettings, type TokenLifetimeSettings } from "@/lib/domain/api-tokens";

/**
 * GROUNDTRUTH_TOKEN_DEFAULT_DAYS / GROUNDTRUTH_TOKEN_MAX_DAYS, read each time (cheap) so tests
 * and restarts see the current environment. start:prod refuses to start when they are invalid;
 * elsewhere invalid values fall back to the defaults.
 */
export function tokenSettings(): TokenLifetimeSettings {
  const { defaultDays, maxDays } = tokenLifetimeSettings(process.env);
  return { defaultDays, maxDays };
}
