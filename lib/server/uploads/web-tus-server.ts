import "server-only";
import type { Server } from "@tus/server";
import { currentActor } from "../session";
import { createTusServer } from "./tus-server";

let server: Server | null = null;

/** The web route's upload server: actors come from the signed-in session, per request. */
export function tusServer(): Server {
  server ??= createTusServer({ resolveActor: () => currentActor() });
  return server;
}
