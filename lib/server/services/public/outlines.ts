import "server-only";
import { provinceOutlines, type AdminAreaCollection } from "../../geo/admin-areas";
import { strongEtag } from "../../public-http";

// The map's offline base layer, served from this site so the public map needs no internet.

let cached: { body: string; etag: string } | null = null;

export function publicOutlines(): { body: string; etag: string } {
  if (!cached) {
    const collection: AdminAreaCollection = provinceOutlines();
    const body = JSON.stringify(collection);
    cached = { body, etag: strongEtag(body) };
  }
  return cached;
}
