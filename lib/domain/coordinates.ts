// Coordinate parsing, validation and display for geolocation claims. Pure: no I/O, no framework.
//
// parseCoordinates() reads what an investigator pastes: plain coordinates in several notations,
// map links, geo: URIs and military grid references. Every accepted result is WGS84 decimal
// degrees, latitude in [-90, 90], longitude in [-180, 180], rounded to 7 decimals (~1 cm).
//
// Decisions worth knowing (the tests pin each one down):
// - Order: without hemisphere letters or labels, the first value is the latitude. With N/S/E/W
//   letters (or "lat"/"lon" labels) either order works ("69.2075E 34.5553N"); two values that
//   are both N/S (or both E/W) are rejected as ambiguous. A minus sign together with a
//   hemisphere letter is rejected too ("-34.5 S" is double-negative or a typo).
// - Whitespace-only input such as "34 33 19.1 69 12 27" is split in half: 2 numbers are decimal
//   degrees, 4 are degrees + decimal minutes, 6 are degrees + minutes + seconds.
// - Decimal commas ("34,5553") are accepted only when the text has no '.' at all and the two
//   values are separated by ';' or whitespace ("34,5553; 69,2075", "34,5553 69,2075"). Otherwise
//   a comma always separates values, so "34,5553,69,2075" is rejected rather than guessed at.
// - Typed longitudes outside [-180, 180] are rejected. Longitudes taken from map links, UTM and
//   MGRS are wrapped into range instead (a panned web map legitimately reports 429.2).
// - Exactly 0, 0 ("Null Island") is rejected: it is almost always a missing value.
// - UTM "42S 518000 3823000": the letter after the zone is read as the standard latitude band
//   (C–X; "S" is 32°N–40°N). Some tools write the hemisphere (N/S) instead. "N" is northern
//   either way, so a northing outside band N is accepted as northern hemisphere. "S" is
//   genuinely ambiguous; it is read as band S when the northing falls in that band, and as the
//   southern hemisphere otherwise. Any other letter must match the northing's latitude band.
// - MGRS references must include grid digits (2 to 10, even); the result is the centre of the
//   referenced square (the `mgrs` package's toPoint). Polar UPS references are not supported.
import * as mgrsNamespace from "mgrs";
import { toLatLon as utmToLatLon } from "utm";

export type CoordinateFormat =
  | "decimal"
  | "dms"
  | "ddm"
  | "google_maps_url"
  | "openstreetmap_url"
  | "mgrs"
  | "utm"
  | "geo_uri";

export type ParsedCoordinates =
  | { ok: true; latitude: number; longitude: number; format: CoordinateFormat }
  | { ok: false; error: string };

export type LatLon = { latitude: number; longitude: number };

/** Longest input parseCoordinates() looks at, in characters. */
export const MAX_COORDINATE_INPUT_LENGTH = 500;

/** Decimal places kept in parsed coordinates (1e-7° ≈ 1.1 cm). */
export const COORDINATE_DECIMALS = 7;

/** WGS84 mean Earth radius (IUGG R1), metres. */
export const EARTH_MEAN_RADIUS_METRES = 6371008.8;

/** Common location-precision choices, in metres. */
export const PRECISION_PRESETS = { EXACT: 10, VICINITY: 100, LOCALITY: 1000 } as const;

export const MIN_PRECISION_METRES = 1;
export const MAX_PRECISION_METRES = 100_000;

const MESSAGES = {
  empty: "Enter coordinates, a map link or a grid reference.",
  tooLong: `That text is too long to be coordinates (more than ${MAX_COORDINATE_INPUT_LENGTH} characters).`,
  unreadable:
    "Could not read coordinates from this text. Try a form like 34.5553, 69.2075 or 34°33'19.1\"N 69°12'27.0\"E.",
  oneValue: "Enter both a latitude and a longitude.",
  tooManyValues: "Found more than two coordinates; enter one latitude and one longitude.",
  unsplittable:
    "Could not tell where the latitude ends and the longitude begins. Separate them with a comma, or add N/S and E/W letters.",
  bothLatitude: "Both values are marked as latitude (N/S or \"lat\"); mark the longitude with E or W.",
  bothLongitude: "Both values are marked as longitude (E/W or \"lon\"); mark the latitude with N or S.",
  signAndHemisphere: "Use either a minus sign or a hemisphere letter (N, S, E, W), not both.",
  labelConflict: "A value is labelled as one axis but marked with the other's hemisphere letter (latitude takes N/S, longitude E/W).",
  decimalsNotLast:
    "Only the last number of a coordinate can have decimals (for example 34°33.318' or 34°33'19.1\").",
  nullIsland:
    "0, 0 (\"Null Island\", in the Gulf of Guinea) is almost always a missing or default value rather than a real location. Check the source.",
  badLink: "That link could not be read.",
  unsupportedLink: "Only Google Maps and OpenStreetMap links can be read. Paste the coordinates instead.",
  shortLink:
    "Short map links (maps.app.goo.gl, goo.gl) hide the coordinates. Open the link in a browser and paste the full address from the address bar, or copy the coordinates.",
  googleNoCoordinates:
    "This Google Maps link does not contain coordinates. Open it, right-click the place and copy the coordinates instead.",
  osmNoCoordinates:
    "This OpenStreetMap link does not contain coordinates. Use the Share button's link, or copy the coordinates.",
  linkNumbers: "The coordinates in this link could not be read.",
  geoUri: "This geo: URI could not be read. Expected geo:latitude,longitude.",
  geoCrs: "Only WGS84 geo: URIs are supported.",
  mgrsInvalid: "Not a valid MGRS grid reference.",
  mgrsNoDigits:
    "This MGRS reference has no grid digits, so it only locates a 100 km square. Include the easting and northing digits.",
  mgrsOddDigits: "An MGRS reference needs the same number of easting and northing digits.",
  mgrsTooManyDigits: "An MGRS reference has at most 5 easting and 5 northing digits (1 m).",
  polar: "Polar (UPS) grid references, zone letters A, B, Y and Z, are not supported.",
  zone: "The UTM zone number must be between 1 and 60.",
  bandLetter: "UTM latitude band letters run from C to X, without I and O.",
  easting: "A UTM easting must be between 100000 and 999999 metres.",
  northing: "A UTM northing must be between 0 and 10000000 metres.",
  utmCoverage: "UTM covers latitudes 80°S to 84°N; this point falls outside it.",
} as const;

type Failure = { ok: false; error: string };
type Success = { ok: true; latitude: number; longitude: number; format: CoordinateFormat };

function fail(error: string): Failure {
  return { ok: false, error };
}

/** Reads coordinates from pasted text; see the notes at the top of this file. */
export function parseCoordinates(input: string): ParsedCoordinates {
  if (typeof input !== "string") return fail(MESSAGES.empty);
  if (input.length > MAX_COORDINATE_INPUT_LENGTH) return fail(MESSAGES.tooLong);
  // Collapsing whitespace first also keeps every pattern below linear-time.
  const text = input.trim().replace(/\s+/g, " ");
  if (text === "") return fail(MESSAGES.empty);

  if (/^geo:/i.test(text)) return parseGeoUri(text);
  if (URL_SCHEME.test(text) || BARE_MAP_HOST.test(text)) return parseMapUrl(text);

  const compact = text.replace(/ /g, "").toUpperCase();
  if (MGRS_SHAPE.test(compact)) return parseMgrs(compact);

  const utm = UTM_PATTERN.exec(text.toUpperCase());
  if (utm) return parseUtm(utm);

  const read = readLatLonText(stripBrackets(text));
  if (!read.ok) return fail(read.error);
  return finalize(read.latitude, read.longitude, read.format, { wrapLongitude: false, axesExplicit: read.axesExplicit });
}

// ---------------------------------------------------------------------------------------------
// Shared validation and normalisation

function roundCoordinate(value: number): number {
  const factor = 10 ** COORDINATE_DECIMALS;
  // `+ 0` turns -0 into 0.
  return Math.round(value * factor) / factor + 0;
}

/** Brings any finite longitude into [-180, 180]. */
function wrapLongitude(longitude: number): number {
  if (longitude >= -180 && longitude <= 180) return longitude;
  return ((((longitude + 180) % 360) + 360) % 360) - 180;
}

function describeNumber(value: number): string {
  return String(roundCoordinate(value));
}

function finalize(
  latitude: number,
  longitude: number,
  format: CoordinateFormat,
  options: { wrapLongitude: boolean; axesExplicit?: boolean },
): Success | Failure {
  if (Number.isNaN(latitude) || Number.isNaN(longitude)) return fail(MESSAGES.unreadable);
  if (!(latitude >= -90 && latitude <= 90)) {
    const swapHint =
      options.axesExplicit === false && Math.abs(longitude) <= 90
        ? " Did you put the longitude first? Write the latitude first, or mark the values with N/S and E/W."
        : "";
    return fail(`Latitude must be between -90 and 90 (got ${describeNumber(latitude)}).${swapHint}`);
  }
  let lon = longitude;
  if (options.wrapLongitude && Number.isFinite(lon)) lon = wrapLongitude(lon);
  if (!(lon >= -180 && lon <= 180)) {
    return fail(`Longitude must be between -180 and 180 (got ${describeNumber(lon)}).`);
  }
  const lat = roundCoordinate(latitude);
  lon = roundCoordinate(lon);
  if (lat === 0 && lon === 0) return fail(MESSAGES.nullIsland);
  return { ok: true, latitude: lat, longitude: lon, format };
}

// ---------------------------------------------------------------------------------------------
// Plain-text coordinates: decimal degrees, degrees-decimal-minutes, degrees-minutes-seconds

type Axis = "lat" | "lon";
type Hemisphere = "N" | "S" | "E" | "W";
type Rank = 0 | 1 | 2; // degrees, minutes, seconds

type Token =
  | { kind: "sep" }
  | { kind: "label"; axis: Axis }
  | { kind: "hemi"; hemi: Hemisphere }
  | { kind: "unit"; rank: Rank }
  | { kind: "number"; text: string };

type Part = { text: string; rank: number };
type RawComponent = { parts: Part[]; hemi?: Hemisphere; hemiIsPrefix?: boolean; label?: Axis };

type TextRead =
  | { ok: true; latitude: number; longitude: number; format: "decimal" | "dms" | "ddm"; axesExplicit: boolean }
  | { ok: false; error: string; /** the text does not look like coordinates at all */ unreadable: boolean };

function unreadable(error: string = MESSAGES.unreadable): TextRead {
  return { ok: false, error, unreadable: true };
}

function invalid(error: string): TextRead {
  return { ok: false, error, unreadable: false };
}

function stripBrackets(text: string): string {
  const m = /^[([{]\s*([\s\S]*?)\s*[)\]}]$/.exec(text);
  return m ? (m[1] ?? "") : text;
}

function normaliseText(text: string): string {
  let s = text
    .replace(/[\u2032\u2019\u2018\u00b4\u02b9`]/g, "'") // primes and look-alikes -> minutes
    .replace(/[\u2033\u201c\u201d\u02ba\u02dd]/g, '"') // double primes and look-alikes -> seconds
    .replace(/''/g, '"')
    .replace(/[\u00ba\u02da\u2070]/g, "°") // ordinal, ring and superscript zero used as degree signs
    .replace(/[\u2212\u2012\u2013]/g, "-") // minus sign, figure dash, en dash
    .toUpperCase()
    .trim();
  // Decimal commas, only when unambiguous: no '.' anywhere and another separator available.
  if (!s.includes(".") && /\d,\d/.test(s) && /[\s;]/.test(s)) s = s.replace(/(\d),(?=\d)/g, "$1.");
  return s;
}

const TOKEN_RULES: ReadonlyArray<readonly [RegExp, (match: string) => Token]> = [
  [/[,;/]/y, () => ({ kind: "sep" })],
  [/(?:LATITUDE|LAT)(?![A-Z])\s*[:=]?/y, () => ({ kind: "label", axis: "lat" })],
  [/(?:LONGITUDE|LONG|LON|LNG)(?![A-Z])\s*[:=]?/y, () => ({ kind: "label", axis: "lon" })],
  [/(?:NORTH|SOUTH|EAST|WEST|[NSEW])(?![A-Z])/y, (m) => ({ kind: "hemi", hemi: m.charAt(0) as Hemisphere })],
  [/(?:°|DEG(?:REES?|S)?(?![A-Z]))/y, () => ({ kind: "unit", rank: 0 })],
  [/'/y, () => ({ kind: "unit", rank: 1 })],
  [/"/y, () => ({ kind: "unit", rank: 2 })],
  [/[+-]?\d+(?:\.\d+)?/y, (m) => ({ kind: "number", text: m })],
];

/** Splits normalised text into tokens (whitespace dropped); null when something is not understood. */
function tokenize(text: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  outer: while (i < text.length) {
    const ws = /\s+/y;
    ws.lastIndex = i;
    if (ws.exec(text)) {
      i = ws.lastIndex;
      continue;
    }
    for (const [pattern, make] of TOKEN_RULES) {
      pattern.lastIndex = i;
      const match = pattern.exec(text);
      if (!match) continue;
      const token = make(match[0]);
      // "1E5" is scientific notation, not "1°E 5".
      if (token.kind === "hemi" && match[0] === "E" && /\d/.test(text[i - 1] ?? "") && /[\d+-]/.test(text[i + 1] ?? "")) {
        return null;
      }
      tokens.push(token);
      i = pattern.lastIndex;
      continue outer;
    }
    return null;
  }
  return tokens;
}

/** Groups tokens into coordinate components (each a run of degrees/minutes/seconds). */
function groupComponents(tokens: Token[]): RawComponent[] | TextRead {
  // Whitespace-separated bare numbers: split in half (2 = D, 4 = DM, 6 = DMS per coordinate).
  if (tokens.every((t) => t.kind === "number")) {
    const texts = tokens.map((t) => (t as { text: string }).text);
    if (texts.length === 1) return unreadable(MESSAGES.oneValue);
    if (texts.length % 2 !== 0 || texts.length > 6) return unreadable(MESSAGES.unsplittable);
    const half = texts.length / 2;
    const toParts = (list: string[]): Part[] => list.map((text, rank) => ({ text, rank }));
    return [{ parts: toParts(texts.slice(0, half)) }, { parts: toParts(texts.slice(half)) }];
  }

  const components: RawComponent[] = [];
  let current: RawComponent = { parts: [] };
  let lastWasSep = true; // a leading separator is not allowed
  const isEmpty = (c: RawComponent) => c.parts.length === 0 && c.hemi === undefined && c.label === undefined;
  // Closes the current component; false when it is a dangling hemisphere letter or label.
  const close = (): boolean => {
    if (current.parts.length === 0) return isEmpty(current);
    components.push(current);
    current = { parts: [] };
    return true;
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    switch (token.kind) {
      case "sep":
        if (isEmpty(current)) {
          if (lastWasSep) return unreadable();
        } else if (!close()) return unreadable();
        lastWasSep = true;
        continue;
      case "label":
        if (current.parts.length > 0) close();
        else if (!isEmpty(current)) return unreadable();
        current.label = token.axis;
        break;
      case "hemi":
        if (current.parts.length === 0) {
          if (current.hemi !== undefined) return unreadable();
          current.hemi = token.hemi;
          current.hemiIsPrefix = true;
        } else if (current.hemiIsPrefix) {
          // "N34.5 E69.2": a new prefix letter starts the next coordinate.
          close();
          current.hemi = token.hemi;
          current.hemiIsPrefix = true;
        } else {
          current.hemi = token.hemi;
          current.hemiIsPrefix = false;
          close();
        }
        break;
      case "unit":
        return unreadable(); // a unit sign with no number before it
      case "number": {
        const next = tokens[i + 1];
        let unit: Rank | null = null;
        if (next?.kind === "unit") {
          unit = next.rank;
          i++;
        }
        const last = current.parts.at(-1);
        let rank = unit ?? (last ? last.rank + 1 : 0);
        const startsNew =
          last !== undefined &&
          (rank <= last.rank || rank > 2 || /^[+-]/.test(token.text) || (unit === null && last.text.includes(".")));
        if (startsNew) {
          close();
          rank = unit ?? 0;
        }
        current.parts.push({ text: token.text, rank });
        break;
      }
    }
    lastWasSep = false;
  }
  if (lastWasSep) return unreadable(); // trailing separator
  if (!isEmpty(current) && !close()) return unreadable();
  return components;
}

type Component = { value: number; axis: Axis | undefined; rank: number };

function evaluateComponent(component: RawComponent): Component | TextRead {
  const { parts, hemi, label } = component;
  for (const [index, part] of parts.entries()) {
    if (part.rank !== index) return unreadable(); // e.g. seconds without minutes, minutes first
    if (index > 0 && /^[+-]/.test(part.text)) return unreadable();
    if (index < parts.length - 1 && part.text.includes(".")) return invalid(MESSAGES.decimalsNotLast);
  }
  const values = parts.map((p) => Math.abs(Number(p.text)));
  const [degrees = NaN, minutes = 0, seconds = 0] = values;
  if (minutes >= 60) return invalid(`Minutes must be less than 60 (got ${parts[1]?.text}).`);
  if (seconds >= 60) return invalid(`Seconds must be less than 60 (got ${parts[2]?.text}).`);
  const negativeSign = parts[0]?.text.startsWith("-") ?? false;
  if (negativeSign && hemi !== undefined) return invalid(MESSAGES.signAndHemisphere);
  const hemiAxis: Axis | undefined = hemi === undefined ? undefined : hemi === "N" || hemi === "S" ? "lat" : "lon";
  if (label !== undefined && hemiAxis !== undefined && label !== hemiAxis) return invalid(MESSAGES.labelConflict);
  const negative = negativeSign || hemi === "S" || hemi === "W";
  const magnitude = degrees + minutes / 60 + seconds / 3600;
  return { value: negative ? -magnitude : magnitude, axis: label ?? hemiAxis, rank: parts.length - 1 };
}

function readLatLonText(text: string): TextRead {
  const tokens = tokenize(normaliseText(text));
  if (!tokens || tokens.length === 0) return unreadable();
  const grouped = groupComponents(tokens);
  if (!Array.isArray(grouped)) return grouped;
  if (grouped.length === 0) return unreadable();
  // Malformed runs (minutes without degrees, a signed minute…) are unreadable whatever the count.
  if (!grouped.every((c) => c.parts.every((part, index) => part.rank === index))) return unreadable();
  if (grouped.length === 1) return unreadable(MESSAGES.oneValue);
  if (grouped.length > 2) return unreadable(MESSAGES.tooManyValues);

  const first = evaluateComponent(grouped[0]!);
  if ("ok" in first) return first;
  const second = evaluateComponent(grouped[1]!);
  if ("ok" in second) return second;

  if (first.axis !== undefined && first.axis === second.axis) {
    return invalid(first.axis === "lat" ? MESSAGES.bothLatitude : MESSAGES.bothLongitude);
  }
  const swapped = first.axis === "lon" || second.axis === "lat";
  const [lat, lon] = swapped ? [second, first] : [first, second];
  const rank = Math.max(first.rank, second.rank);
  return {
    ok: true,
    latitude: lat.value,
    longitude: lon.value,
    format: rank === 0 ? "decimal" : rank === 1 ? "ddm" : "dms",
    axesExplicit: first.axis !== undefined || second.axis !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Map links and geo: URIs

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const BARE_MAP_HOST =
  /^(?:www\.|maps\.)?(?:google(?:\.[a-z]{2,3}){1,2}|openstreetmap\.org|osm\.org|goo\.gl|maps\.app\.goo\.gl)(?=[/?#:]|$)/i;
const GOOGLE_HOST = /^(?:www\.|maps\.)?google(?:\.[a-z]{2,3}){1,2}$/;
const OSM_HOST = /^(?:www\.)?(?:openstreetmap\.org|osm\.org)$/;
const SHORT_LINK_HOSTS = new Set(["goo.gl", "maps.app.goo.gl", "g.co"]);
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;

function fromNumberPair(latText: string, lonText: string, format: CoordinateFormat): Success | Failure {
  const a = latText.trim();
  const b = lonText.trim();
  if (!DECIMAL.test(a) || !DECIMAL.test(b)) return fail(MESSAGES.linkNumbers);
  return finalize(Number(a), Number(b), format, { wrapLongitude: true });
}

/**
 * Coordinates typed into a link parameter (Google's q=, a geo: URI's q=). Undefined when the
 * value is not coordinates at all (a place name), so the caller can look elsewhere.
 */
function fromEmbeddedText(value: string, format: CoordinateFormat): Success | Failure | undefined {
  const text = value
    .replace(/^\s*loc:\s*/i, "")
    .replace(/\s*\([^)]*\)\s*$/, "") // trailing "(label)"
    .trim();
  if (text === "") return undefined;
  const read = readLatLonText(text);
  if (!read.ok) return read.unreadable ? undefined : fail(read.error);
  return finalize(read.latitude, read.longitude, format, { wrapLongitude: false });
}

function parseMapUrl(text: string): ParsedCoordinates {
  let url: URL;
  try {
    url = new URL(URL_SCHEME.test(text) ? text : `https://${text}`);
  } catch {
    return fail(MESSAGES.badLink);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return fail(MESSAGES.unsupportedLink);
  const host = url.hostname.toLowerCase().replace(/\.$/, "");
  if (SHORT_LINK_HOSTS.has(host)) return fail(MESSAGES.shortLink);
  if (GOOGLE_HOST.test(host) && (host.startsWith("maps.") || /^\/maps(?:\/|$)/.test(url.pathname))) {
    return parseGoogleMapsUrl(url, text);
  }
  if (OSM_HOST.test(host)) return parseOpenStreetMapUrl(url);
  return fail(MESSAGES.unsupportedLink);
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/**
 * Google Maps, most specific first: the place pin (!3d…!4d… in the data blob), the searched
 * coordinates (q=, query=, /place/…, /search/…), then the viewport (ll=, center=, viewpoint=,
 * sll=, /@lat,lon,zoom).
 */
function parseGoogleMapsUrl(url: URL, raw: string): ParsedCoordinates {
  const format = "google_maps_url";
  const pins = [...raw.matchAll(/!3d(-?\d+(?:\.\d+)?)!4d(-?\d+(?:\.\d+)?)/g)];
  const pin = pins.at(-1);
  if (pin) return fromNumberPair(pin[1]!, pin[2]!, format);

  for (const key of ["q", "query"]) {
    const value = url.searchParams.get(key);
    const result = value === null ? undefined : fromEmbeddedText(value, format);
    if (result) return result;
  }

  const segments = url.pathname.split("/");
  for (const [index, segment] of segments.entries()) {
    if (segment !== "place" && segment !== "search") continue;
    const next = segments[index + 1];
    const decoded = next === undefined || next.startsWith("@") ? undefined : decodePathSegment(next);
    const result = decoded === undefined ? undefined : fromEmbeddedText(decoded, format);
    if (result) return result;
  }

  for (const key of ["ll", "center", "viewpoint", "sll"]) {
    const value = url.searchParams.get(key);
    const pair = value === null ? null : /^\s*([^,]+),([^,]+)$/.exec(value);
    if (pair) return fromNumberPair(pair[1]!, pair[2]!, format);
  }

  for (const segment of segments) {
    const viewport = /^@(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)(?:,|$)/.exec(segment);
    if (viewport) return fromNumberPair(viewport[1]!, viewport[2]!, format);
  }
  return fail(MESSAGES.googleNoCoordinates);
}

/** OpenStreetMap: the marker (mlat/mlon), a query point (lat/lon), then the view (#map=z/lat/lon). */
function parseOpenStreetMapUrl(url: URL): ParsedCoordinates {
  const format = "openstreetmap_url";
  for (const [latKey, lonKey] of [
    ["mlat", "mlon"],
    ["lat", "lon"],
  ] as const) {
    const lat = url.searchParams.get(latKey);
    const lon = url.searchParams.get(lonKey);
    if (lat !== null && lon !== null) return fromNumberPair(lat, lon, format);
  }
  const hash = new URLSearchParams(url.hash.replace(/^#/, ""));
  const map = hash.get("map");
  const view = map === null ? null : /^\d+(?:\.\d+)?\/([^/]+)\/([^/]+)$/.exec(map);
  if (view) return fromNumberPair(view[1]!, view[2]!, format);
  return fail(MESSAGES.osmNoCoordinates);
}

/** RFC 5870 geo: URIs, plus Android's "geo:0,0?q=lat,lon(label)" pin form. */
function parseGeoUri(text: string): ParsedCoordinates {
  const format = "geo_uri";
  const match = /^geo:([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(text);
  if (!match) return fail(MESSAGES.geoUri);
  const [coordinates = "", ...params] = (match[1] ?? "").split(";");
  for (const param of params) {
    const [key = "", value = ""] = param.split("=");
    if (key.trim().toLowerCase() === "crs" && value.trim().toLowerCase() !== "wgs84") return fail(MESSAGES.geoCrs);
  }
  const numbers = coordinates.split(",").map((n) => n.trim());
  if (numbers.length < 2 || numbers.length > 3 || !numbers.every((n) => DECIMAL.test(n))) return fail(MESSAGES.geoUri);
  const [lat, lon] = numbers.map(Number) as [number, number];
  if (lat === 0 && lon === 0 && match[2]) {
    const q = new URLSearchParams(match[2]).get("q");
    const result = q === null ? undefined : fromEmbeddedText(q, format);
    if (result) return result;
  }
  return finalize(lat, lon, format, { wrapLongitude: false });
}

// ---------------------------------------------------------------------------------------------
// MGRS and UTM

const MGRS_SHAPE = /^\d{1,2}[A-Z]{3}\d*$/;
const MGRS_PATTERN = /^(\d{1,2})([C-HJ-NP-X])([A-HJ-NP-Z])([A-HJ-NP-V])(\d*)$/;
const UTM_PATTERN =
  /^(\d{1,2})\s*([A-Z])\s+(\d{5,7}(?:\.\d+)?)\s*(?:M\s*)?E?\s*[,;]?\s*(\d{1,8}(?:\.\d+)?)\s*(?:M\s*)?N?$/;
const BAND_LETTERS = "CDEFGHJKLMNPQRSTUVWX";

type MgrsApi = { toPoint(mgrs: string): [number, number] };

// The package ships ESM (named exports) for bundlers and a UMD build for Node, which Node's ESM
// loader (vitest) exposes only as a default export. The key is looked up dynamically so bundlers
// don't flag a missing "default" export in the ESM build.
const DEFAULT_EXPORT = "default";
const mgrs: MgrsApi =
  typeof (mgrsNamespace as Partial<MgrsApi>).toPoint === "function"
    ? (mgrsNamespace as MgrsApi)
    : ((mgrsNamespace as unknown as Record<string, MgrsApi>)[DEFAULT_EXPORT] as MgrsApi);

function bandRange(letter: string): [number, number] | undefined {
  const index = BAND_LETTERS.indexOf(letter);
  if (index < 0) return undefined;
  const south = -80 + 8 * index;
  return [south, letter === "X" ? 84 : south + 8];
}

/** True when the latitude lies in the band (with a little slack for rounded grid values). */
function inBand(latitude: number, letter: string): boolean {
  const range = bandRange(letter);
  return range !== undefined && latitude >= range[0] - 0.05 && latitude <= range[1] + 0.05;
}

function parseMgrs(compact: string): ParsedCoordinates {
  if (/^\d{1,2}[ABYZ]/.test(compact)) return fail(MESSAGES.polar);
  const match = MGRS_PATTERN.exec(compact);
  if (!match) return fail(MESSAGES.mgrsInvalid);
  const zone = Number(match[1]);
  if (zone < 1 || zone > 60) return fail(MESSAGES.zone);
  const digits = match[5] ?? "";
  if (digits.length === 0) return fail(MESSAGES.mgrsNoDigits);
  if (digits.length % 2 !== 0) return fail(MESSAGES.mgrsOddDigits);
  if (digits.length > 10) return fail(MESSAGES.mgrsTooManyDigits);
  let point: [number, number];
  try {
    point = mgrs.toPoint(compact);
  } catch {
    return fail(MESSAGES.mgrsInvalid);
  }
  const [longitude, latitude] = point;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || !inBand(latitude, match[2]!)) {
    return fail(MESSAGES.mgrsInvalid);
  }
  return finalize(latitude, longitude, "mgrs", { wrapLongitude: true });
}

function parseUtm(match: RegExpExecArray): ParsedCoordinates {
  const zone = Number(match[1]);
  const letter = match[2]!;
  const easting = Number(match[3]);
  const northing = Number(match[4]);
  if (zone < 1 || zone > 60) return fail(MESSAGES.zone);
  if ("ABYZ".includes(letter)) return fail(MESSAGES.polar);
  const band = bandRange(letter);
  if (!band) return fail(MESSAGES.bandLetter);
  if (!(easting >= 100_000 && easting < 1_000_000)) return fail(MESSAGES.easting);
  if (!(northing >= 0 && northing <= 10_000_000)) return fail(MESSAGES.northing);

  const convert = (northern: boolean) => utmToLatLon(easting, northing, zone, undefined, northern);
  const asBand = convert(letter >= "N");
  let result = asBand;
  if (!inBand(asBand.latitude, letter)) {
    if (letter === "N" && asBand.latitude >= 0) {
      result = asBand; // "N" as the northern hemisphere
    } else if (letter === "S") {
      result = convert(false); // "S" as the southern hemisphere
    } else {
      return fail(
        `The northing puts this point at ${asBand.latitude.toFixed(2)}°, outside latitude band ${letter} (${band[0]}° to ${band[1]}°). Check the zone letter.`,
      );
    }
  }
  if (result.latitude < -80 || result.latitude > 84) return fail(MESSAGES.utmCoverage);
  return finalize(result.latitude, result.longitude, "utm", { wrapLongitude: true });
}

// ---------------------------------------------------------------------------------------------
// Display

function assertLatLon(latitude: number, longitude: number): void {
  if (!Number.isFinite(latitude) || latitude < -90 || latitude > 90) {
    throw new RangeError(`Latitude must be between -90 and 90 (got ${latitude}).`);
  }
  if (!Number.isFinite(longitude) || longitude < -180 || longitude > 180) {
    throw new RangeError(`Longitude must be between -180 and 180 (got ${longitude}).`);
  }
}

function formatDms(value: number, positive: string, negative: string): string {
  const tenths = Math.round(Math.abs(value) * 36000); // tenths of an arcsecond, carried upwards
  const degrees = Math.floor(tenths / 36000);
  const minutes = Math.floor((tenths % 36000) / 600);
  const seconds = (tenths % 600) / 10;
  const hemisphere = value < 0 && tenths > 0 ? negative : positive;
  return `${degrees}°${String(minutes).padStart(2, "0")}'${seconds.toFixed(1).padStart(4, "0")}"${hemisphere}`;
}

function formatDecimal(value: number): string {
  const text = value.toFixed(6);
  return Number(text) === 0 ? (0).toFixed(6) : text;
}

/**
 * Display form: "34.555300, 69.207500" (decimal, 6 places ≈ 0.1 m) or
 * 34°33'19.1"N 69°12'27.0"E (dms, Google Maps style, 0.1″ ≈ 3 m). Throws on invalid input.
 */
export function formatCoordinates(latitude: number, longitude: number, style: "decimal" | "dms" = "decimal"): string {
  assertLatLon(latitude, longitude);
  if (style === "dms") return `${formatDms(latitude, "N", "S")} ${formatDms(longitude, "E", "W")}`;
  return `${formatDecimal(latitude)}, ${formatDecimal(longitude)}`;
}

// ---------------------------------------------------------------------------------------------
// Precision, bearing, distance

export function validatePrecision(metres: number): { ok: true; metres: number } | { ok: false; error: string } {
  if (typeof metres !== "number" || !Number.isFinite(metres)) return fail("Precision must be a number of metres.");
  if (!Number.isInteger(metres)) return fail("Precision must be a whole number of metres.");
  if (metres < MIN_PRECISION_METRES || metres > MAX_PRECISION_METRES) {
    return fail(`Precision must be between ${MIN_PRECISION_METRES} and ${MAX_PRECISION_METRES} metres.`);
  }
  return { ok: true, metres };
}

/** Compass bearing in degrees clockwise from true north: 0 <= bearing < 360; 360 becomes 0. */
export function validateBearing(degrees: number): { ok: true; degrees: number } | { ok: false; error: string } {
  if (typeof degrees !== "number" || !Number.isFinite(degrees)) return fail("Bearing must be a number of degrees.");
  if (degrees < 0 || degrees > 360) return fail("Bearing must be between 0 and 360 degrees.");
  return { ok: true, degrees: degrees === 360 ? 0 : degrees + 0 };
}

const toRadians = (degrees: number) => (degrees * Math.PI) / 180;

/** Great-circle distance (haversine on the WGS84 mean sphere), metres. */
export function distanceMetres(a: LatLon, b: LatLon): number {
  const phi1 = toRadians(a.latitude);
  const phi2 = toRadians(b.latitude);
  const dPhi = phi2 - phi1;
  const dLambda = toRadians(b.longitude - a.longitude);
  const h = Math.sin(dPhi / 2) ** 2 + Math.cos(phi1) * Math.cos(phi2) * Math.sin(dLambda / 2) ** 2;
  return 2 * EARTH_MEAN_RADIUS_METRES * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
}

/** Metres per degree of latitude on the mean sphere. */
const METRES_PER_DEGREE = (EARTH_MEAN_RADIUS_METRES * Math.PI) / 180;

/**
 * Coarsens a location for public display: snaps it to the centre of its cell in a global grid
 * whose cells are at least `metres` across in both directions, so the output says nothing finer
 * than the precision and every point in a cell gives the same output.
 *
 * Rows of equal latitude height tile -90..90; each row is divided into equal longitude cells that
 * tile the full 360° (no sliver at the antimeridian) and are at least `metres` wide even at the
 * row's poleward edge. The two rows touching the poles are single cells represented by the pole.
 * The output is within about `metres` of the input (always within √2 × metres).
 */
export function reduceToPrecision(latitude: number, longitude: number, metres: number): LatLon {
  assertLatLon(latitude, longitude);
  if (!Number.isFinite(metres) || metres <= 0) throw new RangeError("Precision must be a positive number of metres.");

  const rows = Math.max(3, Math.floor(180 / (metres / METRES_PER_DEGREE)));
  const rowHeight = 180 / rows;
  const row = Math.min(rows - 1, Math.floor(((latitude + 90) * rows) / 180));
  if (row === 0) return { latitude: -90, longitude: 0 };
  if (row === rows - 1) return { latitude: 90, longitude: 0 };

  const south = -90 + row * rowHeight;
  const north = south + rowHeight;
  const narrowest = Math.min(Math.cos(toRadians(south)), Math.cos(toRadians(north)));
  const minCellWidth = metres / (METRES_PER_DEGREE * narrowest);
  const columns = Math.max(1, Math.floor(360 / minCellWidth));
  const columnWidth = 360 / columns;
  const column = Math.floor(((longitude + 180) * columns) / 360) % columns; // 180° is -180°

  return {
    latitude: roundCoordinate(south + rowHeight / 2),
    longitude: roundCoordinate(-180 + (column + 0.5) * columnWidth),
  };
}
