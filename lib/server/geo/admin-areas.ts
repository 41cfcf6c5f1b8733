import "server-only";
// Province (admin-1) lookup, offline, from boundary files shipped in this folder.
//
// Data: Natural Earth 1:10m "Admin 1 – States, Provinces" (public domain), extracted per country
// by scripts/build-admin-areas.ts (which documents the source package and the name corrections).
// Boundaries are ~1:10m: points within a few hundred metres of a provincial border may resolve to
// the neighbouring province, so the result is a convenience label, not an authority.
import { readFileSync } from "node:fs";
import path from "node:path";
import booleanPointInPolygon from "@turf/boolean-point-in-polygon";
import { type BBox, type Feature, type FeatureCollection, type MultiPolygon, type Polygon, type Position } from "geojson";
import { PROJECT_ROOT } from "@/lib/infra/config";

export type AdminArea = { country: string; province: string };
export type AdminAreaProperties = AdminArea & { iso3166_2: string };
export type AdminAreaFeature = Feature<Polygon | MultiPolygon, AdminAreaProperties>;
export type AdminAreaCollection = FeatureCollection<Polygon | MultiPolygon, AdminAreaProperties>;

/** One file per country, written by scripts/build-admin-areas.ts; add new countries here. */
const COUNTRY_FILES: readonly string[] = ["admin1-af.json"];

type Indexed = { feature: AdminAreaFeature; bbox: BBox };

let cache: { collection: AdminAreaCollection; indexed: Indexed[] } | null = null;

function load(): { collection: AdminAreaCollection; indexed: Indexed[] } {
  if (cache) return cache;
  const features: AdminAreaFeature[] = [];
  for (const file of COUNTRY_FILES) {
    const parsed = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "lib", "server", "geo", file), "utf8")) as AdminAreaCollection;
    features.push(...parsed.features);
  }
  cache = {
    collection: { type: "FeatureCollection", features },
    indexed: features.map((feature) => ({ feature, bbox: boundsOf(feature.geometry) })),
  };
  return cache;
}

function boundsOf(geometry: Polygon | MultiPolygon): BBox {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const polygons: Position[][][] = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  for (const polygon of polygons) {
    // The outer ring bounds the polygon; holes lie inside it.
    for (const position of polygon[0] ?? []) {
      const [x = 0, y = 0] = position;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  return [minX, minY, maxX, maxY];
}

/** The country and province containing a WGS84 point, or null outside the covered countries. */
export function adminAreaAt(latitude: number, longitude: number): AdminArea | null {
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  for (const { feature, bbox } of load().indexed) {
    if (longitude < bbox[0] || latitude < bbox[1] || longitude > bbox[2] || latitude > bbox[3]) continue;
    if (booleanPointInPolygon([longitude, latitude], feature)) {
      return { country: feature.properties.country, province: feature.properties.province };
    }
  }
  return null;
}

/**
 * All province outlines as one FeatureCollection, for the map's offline base layer.
 * About 226 KB of JSON for Afghanistan (~76 KB gzipped); the same object is returned each call.
 */
export function provinceOutlines(): AdminAreaCollection {
  return load().collection;
}
