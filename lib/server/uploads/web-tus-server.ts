import "server-only";
import type { Server } from "@tus/server";
import { actorFromRequest } from "../api-auth";
import { currentActor } from "../session";
import { createTusServer } from "./tus-server";

let server: Server | null = null;

/**
 * The web route's upload server. Actors come, per request, from an API token when the request
 * carries an Authorization header (scripts; the token's scopes apply, so it needs `submit`),
 * otherwise from the signed-in session. A bad token is refused, never retried as a session.
 */
export function tusServer(): Server {
  server ??= createTusServer({
    resolveActor: (request) => (request.headers.has("authorization") ? actorFromRequest(request) : currentActor()),
  });
  return server;
}
