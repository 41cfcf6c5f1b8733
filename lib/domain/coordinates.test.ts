import { describe, expect, it } from "vitest";
import {
  type CoordinateFormat,
  type LatLon,
  EARTH_MEAN_RADIUS_METRES,
  MAX_COORDINATE_INPUT_LENGTH,
  PRECISION_PRESETS,
  distanceMetres,
  formatCoordinates,
  parseCoordinates,
  reduceToPrecision,
  validateBearing,
  validatePrecision,
} from "./coordinates";

/** Degrees-minutes-seconds to decimal degrees, computed independently of the parser. */
const dms = (d: number, m: number, s = 0) => Math.sign(d || 1) * (Math.abs(d) + m / 60 + s / 3600);

// Kabul, reused throughout.
const LAT = 34.5553;
const LON = 69.2075;
const KABUL_DMS_LAT = dms(34, 33, 19.1); // 34.55530555…

function expectParsed(input: string, latitude: number, longitude: number, format: CoordinateFormat) {
  const result = parseCoordinates(input);
  if (!result.ok) throw new Error(`expected ${JSON.stringify(input)} to parse, got: ${result.error}`);
  expect(result.format).toBe(format);
  expect(result.latitude).toBeCloseTo(latitude, 7);
  expect(result.longitude).toBeCloseTo(longitude, 7);
}

function expectRejected(input: string, error: RegExp) {
  const result = parseCoordinates(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected, got ${JSON.stringify(result)}`);
  expect(result.error).toMatch(error);
}

/** Great-circle distance by the vector (atan2 of cross and dot products) formula: an independent check on haversine. */
function vectorDistance(a: LatLon, b: LatLon): number {
  const toVector = ({ latitude, longitude }: LatLon) => {
    const phi = (latitude * Math.PI) / 180;
    const lambda = (longitude * Math.PI) / 180;
    return [Math.cos(phi) * Math.cos(lambda), Math.cos(phi) * Math.sin(lambda), Math.sin(phi)] as const;
  };
  const [ax, ay, az] = toVector(a);
  const [bx, by, bz] = toVector(b);
  const cross = Math.hypot(ay * bz - az * by, az * bx - ax * bz, ax * by - ay * bx);
  const dot = ax * bx + ay * by + az * bz;
  return EARTH_MEAN_RADIUS_METRES * Math.atan2(cross, dot);
}

describe("parseCoordinates: decimal degrees", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["34.5553, 69.2075", LAT, LON],
    ["34.5553,69.2075", LAT, LON],
    ["34.5553 69.2075", LAT, LON],
    ["  34.5553 ,   69.2075  ", LAT, LON],
    ["34.5553;69.2075", LAT, LON],
    ["34.5553 / 69.2075", LAT, LON],
    ["34.5553,\t69.2075", LAT, LON],
    ["34.5553\n69.2075", LAT, LON],
    ["(34.5553, 69.2075)", LAT, LON],
    ["[34.5553, 69.2075]", LAT, LON],
    ["+34.5553, +69.2075", LAT, LON],
    ["-34.5553, -69.2075", -LAT, -LON],
    ["\u221234.5553, \u221269.2075", -LAT, -LON], // Unicode minus sign
    ["34.5553, -69.2075", LAT, -LON],
    ["34.5553°N 69.2075°E", LAT, LON],
    ["34.5553° N, 69.2075° E", LAT, LON],
    ["34.5553ºN 69.2075ºE", LAT, LON], // ordinal indicator used as a degree sign
    ["34.5553N 69.2075E", LAT, LON],
    ["34.5553 N 69.2075 E", LAT, LON],
    ["34.5553n 69.2075e", LAT, LON],
    ["N34.5553 E69.2075", LAT, LON],
    ["N 34.5553, E 69.2075", LAT, LON],
    ["N34.5553° E69.2075°", LAT, LON],
    ["34.5553°S 69.2075°W", -LAT, -LON],
    ["S34.5553 W69.2075", -LAT, -LON],
    ["34.5553 North 69.2075 East", LAT, LON],
    ["34.5553 south, 69.2075 west", -LAT, -LON],
    ["34.5553° 69.2075°", LAT, LON],
    ["34.5553 deg N 69.2075 deg E", LAT, LON],
    ["34.5553 degrees N, 69.2075 degrees W", LAT, -LON],
    ["+34.5553N, +69.2075E", LAT, LON],
    // Either order when letters or labels make it unambiguous.
    ["69.2075E 34.5553N", LAT, LON],
    ["E69.2075 N34.5553", LAT, LON],
    ["69.2075°W, 34.5553°S", -LAT, -LON],
    ["69.2075 E, 34.5553", LAT, LON],
    ["34.5553, 69.2075 W", LAT, -LON],
    ["lat: 34.5553, lon: 69.2075", LAT, LON],
    ["Latitude 34.5553 Longitude 69.2075", LAT, LON],
    ["LAT=34.5553 LNG=69.2075", LAT, LON],
    ["lng: 69.2075, lat: 34.5553", LAT, LON],
    ["long 69.2075 lat -34.5553", -LAT, LON],
    ["lat 34.5553 N lon 69.2075 E", LAT, LON],
    // Decimal commas: only with no '.' and a ';' or whitespace between the values.
    ["34,5553; 69,2075", LAT, LON],
    ["34,5553;69,2075", LAT, LON],
    ["34,5553 69,2075", LAT, LON],
    ["34,5553, 69,2075", LAT, LON],
    ["-34,5553; -69,2075", -LAT, -LON],
    ["34,5553°N 69,2075°E", LAT, LON],
    ["34,69", 34, 69], // no other separator: the comma separates two integers
    ["34, 69", 34, 69],
    ["34 69", 34, 69],
    // Boundaries and rounding to 7 decimals.
    ["90, 180", 90, 180],
    ["-90, -180", -90, -180],
    ["90N 180W", 90, -180],
    ["0, 69.2075", 0, LON],
    ["34.5553, 0", LAT, 0],
    ["-0.5, 0.5", -0.5, 0.5],
    ["34.12345678901, 69.98765432149", 34.1234568, 69.9876543],
    ["034.5553, 069.2075", LAT, LON],
  ];
  it.each(cases)("%j", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "decimal");
  });
});

describe("parseCoordinates: degrees, minutes and seconds", () => {
  const lonDms = dms(69, 12, 27);
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    [`34°33'19.1"N 69°12'27.0"E`, KABUL_DMS_LAT, lonDms],
    [`34°33'19.1"N, 69°12'27.0"E`, KABUL_DMS_LAT, lonDms],
    [`34° 33' 19.1" N 69° 12' 27.0" E`, KABUL_DMS_LAT, lonDms],
    [`34°33'19.1" N; 69°12'27.0" E`, KABUL_DMS_LAT, lonDms],
    ["34°33\u203219.1\u2033N 69°12\u203227.0\u2033E", KABUL_DMS_LAT, lonDms], // prime and double prime
    ["34°33\u201919.1\u201dN 69°12\u201927.0\u201dE", KABUL_DMS_LAT, lonDms], // typographic quotes
    ["34°33'19.1''N 69°12'27.0''E", KABUL_DMS_LAT, lonDms], // two apostrophes for seconds
    ["34\u00ba33'19.1\"N 69\u00ba12'27.0\"E", KABUL_DMS_LAT, lonDms],
    ["34 33 19.1 N 69 12 27 E", KABUL_DMS_LAT, lonDms],
    ["34 33 19.1N 69 12 27E", KABUL_DMS_LAT, lonDms],
    ["N 34 33 19.1 E 69 12 27", KABUL_DMS_LAT, lonDms],
    ["N34°33'19.1\" E69°12'27\"", KABUL_DMS_LAT, lonDms],
    ["34 33 19.1 69 12 27", KABUL_DMS_LAT, lonDms], // six bare numbers: split in half
    ["34 33 19.1, 69 12 27", KABUL_DMS_LAT, lonDms],
    [`34°33'19.1"S 69°12'27.0"W`, -KABUL_DMS_LAT, -lonDms],
    [`-34°33'19.1", -69°12'27.0"`, -KABUL_DMS_LAT, -lonDms],
    ["-34 33 19.1 -69 12 27", -KABUL_DMS_LAT, -lonDms],
    [`69°12'27.0"E 34°33'19.1"N`, KABUL_DMS_LAT, lonDms],
    [`34°33'19,1"N 69°12'27,0"E`, KABUL_DMS_LAT, lonDms], // decimal commas with whitespace
    [`0°30'0"S 0°30'0"W`, -0.5, -0.5],
    [`90°0'0"N 180°0'0"E`, 90, 180],
    [`33°52'04"S 151°12'26"E`, -dms(33, 52, 4), dms(151, 12, 26)],
    [`40°44'54.2"N 73°59'08.5"W`, dms(40, 44, 54.2), -dms(73, 59, 8.5)],
    [`0°0'0.5"N 0°0'0"E`, 0.5 / 3600, 0],
  ];
  it.each(cases)("%j", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "dms");
  });

  it("reports dms when only one of the two values has seconds", () => {
    expectParsed(`34°33'19.1"N 69.2075E`, KABUL_DMS_LAT, LON, "dms");
  });
});

describe("parseCoordinates: degrees and decimal minutes", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["34°33.318'N 69°12.45'E", LAT, LON],
    ["34° 33.318' N, 69° 12.45' E", LAT, LON],
    ["34°33.318\u2032N 69°12.45\u2032E", LAT, LON],
    ["34 33.318 N 69 12.45 E", LAT, LON],
    ["N34 33.318 E69 12.45", LAT, LON],
    ["34 33.318 69 12.45", LAT, LON], // four bare numbers: split in half
    ["34°33.318', 69°12.45'", LAT, LON],
    ["34°33.318'S 69°12.45'W", -LAT, -LON],
    ["-34 33.318, -69 12.45", -LAT, -LON],
    ["69°12.45'E 34°33.318'N", LAT, LON],
    ["34°33'N 69°12'E", 34.55, 69.2],
    ["34 33 69 12", 34.55, 69.2],
    ["S 33° 51.9' E 151° 12.5'", -dms(33, 51.9), dms(151, 12.5)],
    ["34°33,318'N 69°12,45'E", LAT, LON],
  ];
  it.each(cases)("%j", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "ddm");
  });
});

describe("parseCoordinates: Google Maps links", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["https://www.google.com/maps/@34.5553,69.2075,15z", LAT, LON],
    ["https://www.google.com/maps/@34.5553,69.2075,15z?entry=ttu", LAT, LON],
    ["https://www.google.com/maps/@-34.5553,-69.2075,15z", -LAT, -LON],
    ["https://www.google.com/maps/@34.5553,69.2075,3a,75y,90t/data=!3m6!1e1", LAT, LON], // Street View viewport
    ["https://www.google.co.uk/maps/@34.5553,69.2075,15z", LAT, LON],
    ["https://www.google.com.au/maps/@34.5553,69.2075,15z", LAT, LON],
    ["www.google.com/maps/@34.5553,69.2075,15z", LAT, LON],
    ["google.com/maps/@34.5553,69.2075,15z", LAT, LON],
    ["HTTPS://WWW.GOOGLE.COM/maps/@34.5553,69.2075,15z", LAT, LON],
    // The place pin (!3d…!4d…) wins over the viewport.
    [
      "https://www.google.com/maps/place/X/@34.5553,69.2075,17z/data=!3m1!4b1!4m6!3m5!1s0x0:0x0!8m2!3d34.5561!4d69.2081!16s%2Fg%2F11",
      34.5561,
      69.2081,
    ],
    ["https://www.google.com/maps/place/Kabul/@34.5,69.1,12z/data=!4m2!3m1!1s0x0:0x0!8m2!3d-34.5561!4d-69.2081", -34.5561, -69.2081],
    // Searched coordinates (q=, query=) win over the viewport.
    ["https://maps.google.com/?q=34.5553,69.2075", LAT, LON],
    ["https://maps.google.com/maps?q=34.5553,+69.2075&z=15", LAT, LON],
    ["https://maps.google.com/?q=34.5553,69.2075&ll=35,70", LAT, LON],
    ["https://www.google.com/maps?q=loc:34.5553,69.2075", LAT, LON],
    ["https://www.google.com/maps?q=34.5553,69.2075(Checkpoint)", LAT, LON],
    ["https://www.google.com/maps/search/?api=1&query=34.5553,69.2075", LAT, LON],
    ["https://www.google.com/maps/search/?api=1&query=34.5553%2C69.2075", LAT, LON],
    ["https://www.google.com/maps/search/34.5553,+69.2075?entry=ttu", LAT, LON],
    ["https://www.google.com/maps/search/34.5553,+69.2075/@34.55,69.20,17z", LAT, LON],
    ["https://www.google.com/maps/place/34%C2%B033'19.1%22N+69%C2%B012'27.0%22E/@34.5,69.2,17z", KABUL_DMS_LAT, dms(69, 12, 27)],
    // A place name is not coordinates: fall back to the viewport.
    ["https://maps.google.com/?q=Kabul&ll=34.5553,69.2075", LAT, LON],
    ["https://www.google.com/maps/place/Kabul/@34.5553,69.2075,12z", LAT, LON],
    ["https://www.google.com/maps?ll=34.5553,69.2075&z=12", LAT, LON],
    ["https://www.google.com/maps/@?api=1&map_action=map&center=34.5553,69.2075&zoom=12", LAT, LON],
    ["https://www.google.com/maps/@?api=1&map_action=pano&viewpoint=34.5553,69.2075", LAT, LON],
    // A panned web map can report longitudes outside [-180, 180]: wrapped.
    ["https://www.google.com/maps/@34.5553,429.2075,15z", LAT, LON],
    ["https://www.google.com/maps/@34.5553,-290.7925,15z", LAT, LON],
  ];
  it.each(cases)("%s", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "google_maps_url");
  });
});

describe("parseCoordinates: OpenStreetMap links", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["https://www.openstreetmap.org/#map=17/34.5553/69.2075", LAT, LON],
    ["https://www.openstreetmap.org/#map=17/-34.5553/-69.2075", -LAT, -LON],
    ["https://www.openstreetmap.org/#map=17/34.5553/69.2075&layers=H", LAT, LON],
    ["https://www.openstreetmap.org/?mlat=34.5553&mlon=69.2075#map=17/34.55/69.20", LAT, LON], // marker wins
    ["https://www.openstreetmap.org/?mlat=34.5553&mlon=69.2075", LAT, LON],
    ["https://openstreetmap.org/?mlat=-34.5553&mlon=-69.2075", -LAT, -LON],
    ["https://www.openstreetmap.org/query?lat=34.5553&lon=69.2075#map=19/34.55/69.20", LAT, LON],
    ["https://www.openstreetmap.org/way/123456#map=17/34.5553/69.2075", LAT, LON],
    ["www.openstreetmap.org/#map=17/34.5553/69.2075", LAT, LON],
    ["https://osm.org/?mlat=34.5553&mlon=69.2075", LAT, LON],
    ["https://www.openstreetmap.org/#map=5/34.5553/429.2075", LAT, LON],
  ];
  it.each(cases)("%s", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "openstreetmap_url");
  });
});

describe("parseCoordinates: geo: URIs", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["geo:34.5553,69.2075", LAT, LON],
    ["GEO:34.5553,69.2075", LAT, LON],
    ["geo:-34.5553,-69.2075", -LAT, -LON],
    ["geo:34.5553,69.2075,1791", LAT, LON],
    ["geo:34.5553,69.2075;u=35", LAT, LON],
    ["geo:34.5553,69.2075;crs=wgs84;u=35", LAT, LON],
    ["geo:34.5553,69.2075?z=17", LAT, LON],
    ["geo:0,0?q=34.5553,69.2075(Checkpoint)", LAT, LON], // Android's pin form
    ["geo:0,0?q=34.5553,69.2075", LAT, LON],
  ];
  it.each(cases)("%s", (input, latitude, longitude) => {
    expectParsed(input, latitude, longitude, "geo_uri");
  });
});

// Grid references below were produced with the `mgrs` package's forward() (truncating to the
// square) and the `utm` package's fromLatLon() (rounded to the metre) from the listed points.
describe("parseCoordinates: MGRS", () => {
  const cases: Array<[input: string, latitude: number, longitude: number, toleranceMetres: number]> = [
    ["42SWD1903623748", LAT, LON, 1.5],
    ["42S WD 19036 23748", LAT, LON, 1.5],
    ["42SWD 19036 23748", LAT, LON, 1.5],
    ["42swd1903623748", LAT, LON, 1.5],
    ["  42S WD 1903623748 ", LAT, LON, 1.5],
    ["42SWD190237", LAT, LON, 150], // 100 m square
    ["42SWD1923", LAT, LON, 1500], // 1 km square
    ["42SWD12", LAT, LON, 15000], // 10 km square
    ["56HLH3490052288", -33.8568, 151.2153, 1.5],
    ["18TWL8562811322", 40.7484, -73.9857, 1.5],
    ["17MQV8186180007", -0.1807, -78.4678, 1.5],
    ["27WVM5413813689", 64.1466, -21.9426, 1.5],
    ["33XWG1427883355", 78.2232, 15.6267, 1.5],
    ["32VKN9735300648", 60.3913, 5.3221, 1.5],
    ["60KXF1292941202", -17.7134, 178.065, 1.5],
    ["34HBH6188143182", -33.9249, 18.4241, 1.5],
    ["48NUG7324741882", 1.2834, 103.8607, 1.5],
  ];
  it.each(cases)("%s", (input, latitude, longitude, tolerance) => {
    const result = parseCoordinates(input);
    if (!result.ok) throw new Error(result.error);
    expect(result.format).toBe("mgrs");
    expect(distanceMetres(result, { latitude, longitude })).toBeLessThan(tolerance);
  });

  it("reads the brief's example reference inside zone 42S", () => {
    const result = parseCoordinates("42SWD1234567890");
    if (!result.ok) throw new Error(result.error);
    expect(result.format).toBe("mgrs");
    expect(result.latitude).toBeGreaterThan(32);
    expect(result.latitude).toBeLessThan(40);
    expect(result.longitude).toBeGreaterThan(66);
    expect(result.longitude).toBeLessThan(72);
  });
});

describe("parseCoordinates: UTM", () => {
  const cases: Array<[input: string, latitude: number, longitude: number]> = [
    ["42S 519037 3823749", LAT, LON],
    ["42S 519037mE 3823749mN", LAT, LON],
    ["42S 519037 m E 3823749 m N", LAT, LON],
    ["42s 519037 3823749", LAT, LON],
    ["42 S 519037 3823749", LAT, LON],
    ["42S 519037, 3823749", LAT, LON],
    ["42S 519036.6 3823748.9", LAT, LON],
    // "N" as the hemisphere (outside band N) is northern either way.
    ["42N 519037 3823749", LAT, LON],
    // "S" outside band S (32°N–40°N) is read as the southern hemisphere.
    ["42S 519037 6176251", -LAT, LON],
    ["17S 781861 9980008", -0.1807, -78.4678],
    ["56S 334901 6252289", -33.8568, 151.2153],
    // Standard latitude bands.
    ["56H 334901 6252289", -33.8568, 151.2153],
    ["18T 585628 4511322", 40.7484, -73.9857],
    ["17M 781861 9980008", -0.1807, -78.4678],
    ["27W 454138 7113690", 64.1466, -21.9426],
    ["33X 514279 8683355", 78.2232, 15.6267],
    ["32V 297354 6700648", 60.3913, 5.3221],
    ["60K 612930 8041203", -17.7134, 178.065],
    ["48N 373248 141883", 1.2834, 103.8607],
  ];
  it.each(cases)("%s", (input, latitude, longitude) => {
    const result = parseCoordinates(input);
    if (!result.ok) throw new Error(result.error);
    expect(result.format).toBe("utm");
    expect(distanceMetres(result, { latitude, longitude })).toBeLessThan(1);
  });
});

describe("parseCoordinates rejects", () => {
  const cases: Array<[input: string, error: RegExp]> = [
    // Empty, overlong, not coordinates.
    ["", /^Enter coordinates/],
    ["   \n\t ", /^Enter coordinates/],
    ["1".repeat(MAX_COORDINATE_INPUT_LENGTH + 1), /too long/],
    ["34.5553, 69.2075" + " ".repeat(MAX_COORDINATE_INPUT_LENGTH), /too long/],
    ["hello", /^Could not read coordinates from this text/],
    ["Kabul, Afghanistan", /^Could not read coordinates/],
    ["NaN, NaN", /^Could not read coordinates/],
    ["Infinity, 5", /^Could not read coordinates/],
    ["1e5, 3", /^Could not read coordinates/],
    ["34.5553E2, 69", /^Could not read coordinates/],
    ["0x22, 0x45", /^Could not read coordinates/],
    ["34.5553, 69.2075 Kabul", /^Could not read coordinates/],
    ["34.5553, 69.2075 (Kabul)", /^Could not read coordinates/],
    ["34. 69.", /^Could not read coordinates/],
    ["34.5553, , 69.2075", /^Could not read coordinates/],
    [", 34.5553, 69.2075", /^Could not read coordinates/],
    ["34.5553, 69.2075,", /^Could not read coordinates/],
    ["N", /^Could not read coordinates/],
    ["N E", /^Could not read coordinates/],
    ["34.5553 N, E", /^Could not read coordinates/],
    ["°34 69", /^Could not read coordinates/],
    ["POINT(69.2075 34.5553)", /^Could not read coordinates/],
    ["<script>alert(1)</script>", /^Could not read coordinates/],
    // Wrong number of values.
    ["34.5553", /both a latitude and a longitude/],
    ["34.5553N", /both a latitude and a longitude/],
    ["34.5553, 69.2075, 1791", /more than two coordinates/],
    ["34,5553,69,2075", /more than two coordinates/], // commas are separators when nothing else separates
    ["34.5553 69.2075 1791", /where the latitude ends/],
    ["34 33 19 69 12 27 5 6", /where the latitude ends/],
    // Out of range.
    ["91, 69", /^Latitude must be between -90 and 90 \(got 91\)/],
    ["90.0000001, 69", /^Latitude must be between -90 and 90/],
    ["-90.5, 69", /^Latitude must be between -90 and 90 \(got -90.5\)/],
    ["95N 69E", /^Latitude must be between -90 and 90 \(got 95\)\.$/],
    ["-134.5553, 69.2075", /^Latitude must be between -90 and 90 \(got -134.5553\)\. Did you put/],
    ["134.5553, 69.2075", /Did you put the longitude first/],
    [`90°0'0.1"N 69E`, /^Latitude must be between -90 and 90/],
    ["34, 180.0000001", /^Longitude must be between -180 and 180/],
    ["34, -181", /^Longitude must be between -180 and 180 \(got -181\)/],
    ["34, 360", /^Longitude must be between -180 and 180/],
    ["34.5553N 181E", /^Longitude must be between -180 and 180/],
    ["1" + "0".repeat(400) + ", 5", /^Latitude must be between -90 and 90/],
    // Ambiguous hemispheres.
    ["34.5553N 69.2075S", /Both values are marked as latitude/],
    ["N34 S69", /Both values are marked as latitude/],
    ["34.5553E 69.2075W", /Both values are marked as longitude/],
    ["lat 34.5553 lat 69.2075", /Both values are marked as latitude/],
    ["lon 34.5553 69.2075E", /Both values are marked as longitude/],
    ["lat 34.5553 E, 69.2075", /labelled as one axis/],
    ["-34.5553S 69.2075E", /minus sign or a hemisphere letter/],
    ["34.5553N -69.2075W", /minus sign or a hemisphere letter/],
    ["S-34.5553 E69.2075", /minus sign or a hemisphere letter/],
    // Minutes and seconds.
    [`34°60'N 69°12'E`, /^Minutes must be less than 60 \(got 60\)/],
    [`34°75.5'N 69°12'E`, /^Minutes must be less than 60/],
    ["34 75 N 69 12 E", /^Minutes must be less than 60/],
    [`34°33'60"N 69°12'27"E`, /^Seconds must be less than 60 \(got 60\)/],
    [`34°33'19.1"N 69°12'99"E`, /^Seconds must be less than 60/],
    ["34 33 60.5 69 12 27", /^Seconds must be less than 60/],
    [`34.5°33'N 69°12'E`, /Only the last number/],
    [`34°33.5'19"N 69°12'27"E`, /Only the last number/],
    [`34°-33'N 69°12'E`, /^Could not read coordinates/],
    [`33'19"N 69°12'27"E`, /^Could not read coordinates/],
    [`34°19"N 69°12'27"E`, /^Could not read coordinates/],
    [`34°33'19"12"N 69E`, /^Could not read coordinates/],
    // Null Island.
    ["0, 0", /Null Island/],
    ["0.0, -0.0", /Null Island/],
    ["0.00000001, -0.00000001", /Null Island/],
    [`0°0'0"N 0°0'0"E`, /Null Island/],
    ["geo:0,0", /Null Island/],
    ["geo:0,0?q=Kabul", /Null Island/],
    ["https://www.google.com/maps/@0,0,3z", /Null Island/],
    ["https://www.openstreetmap.org/#map=3/0/0", /Null Island/],
    // Links without coordinates, or not map links.
    ["https://www.google.com/maps", /Google Maps link does not contain coordinates/],
    ["https://www.google.com/maps/place/Kabul", /Google Maps link does not contain coordinates/],
    ["https://maps.google.com/?q=Kabul", /Google Maps link does not contain coordinates/],
    ["https://www.google.com/maps/dir/Kabul/Herat", /Google Maps link does not contain coordinates/],
    ["https://www.google.com/maps/@95,69,15z", /^Latitude must be between -90 and 90/],
    ["https://maps.google.com/?q=95,69", /^Latitude must be between -90 and 90/],
    ["https://maps.google.com/?q=34.5553,190", /^Longitude must be between -180 and 180/],
    ["https://maps.google.com/?ll=abc,def", /coordinates in this link could not be read/],
    ["https://www.openstreetmap.org/", /OpenStreetMap link does not contain coordinates/],
    ["https://www.openstreetmap.org/node/123456", /OpenStreetMap link does not contain coordinates/],
    ["https://www.openstreetmap.org/?mlat=34.5553", /OpenStreetMap link does not contain coordinates/],
    ["https://www.openstreetmap.org/?mlat=abc&mlon=69", /coordinates in this link could not be read/],
    ["https://www.openstreetmap.org/#map=17/95/69", /^Latitude must be between -90 and 90/],
    ["https://maps.app.goo.gl/AbCdEf123", /Short map links/],
    ["https://goo.gl/maps/AbCdEf123", /Short map links/],
    ["maps.app.goo.gl/AbCdEf123", /Short map links/],
    ["https://example.com/?q=34.5553,69.2075", /Only Google Maps and OpenStreetMap links/],
    ["https://www.google.com/search?q=34.5553,69.2075", /Only Google Maps and OpenStreetMap links/],
    ["https://www.google.com.evil.example/maps/@34.5553,69.2075,15z", /Only Google Maps and OpenStreetMap links/],
    ["ftp://www.google.com/maps/@34.5553,69.2075,15z", /Only Google Maps and OpenStreetMap links/],
    ["https://", /link could not be read/],
    // geo: URIs.
    ["geo:", /geo: URI could not be read/],
    ["geo:34.5553", /geo: URI could not be read/],
    ["geo:abc,def", /geo: URI could not be read/],
    ["geo:34.5553,69.2075,1791,5", /geo: URI could not be read/],
    ["geo:34.5553,69.2075;crs=EPSG:32642", /Only WGS84 geo: URIs/],
    ["geo:95,69", /^Latitude must be between -90 and 90/],
    ["geo:34,181", /^Longitude must be between -180 and 180/],
    // MGRS.
    ["42SWD", /no grid digits/],
    ["42SWD123", /same number of easting and northing digits/],
    ["42SWD123456789012", /at most 5 easting and 5 northing digits/],
    ["61SWD1234567890", /zone number must be between 1 and 60/],
    ["0SWD1234567890", /zone number must be between 1 and 60/],
    ["42IWD1234567890", /Not a valid MGRS grid reference/],
    ["42SWZ1234567890", /Not a valid MGRS grid reference/],
    ["42SOD1234567890", /Not a valid MGRS grid reference/],
    ["42AWD1234567890", /Polar \(UPS\)/],
    ["42ZWD1234567890", /Polar \(UPS\)/],
    // UTM.
    ["61S 519037 3823749", /zone number must be between 1 and 60/],
    ["0S 519037 3823749", /zone number must be between 1 and 60/],
    ["42I 519037 3823749", /band letters run from C to X/],
    ["42O 519037 3823749", /band letters run from C to X/],
    ["42Z 519037 3823749", /Polar \(UPS\)/],
    ["42S 99999 3823749", /easting must be between/],
    ["42S 1000000 3823749", /easting must be between/],
    ["42S 519037 10000001", /northing must be between/],
    ["42T 519037 3823749", /outside latitude band T \(40° to 48°\)/],
    ["42C 519037 6176251", /outside latitude band C/],
    ["42S 519037 500000", /UTM covers latitudes 80°S to 84°N/],
    ["42N 519037 9900000", /UTM covers latitudes 80°S to 84°N/],
  ];
  it.each(cases)("%j", (input, error) => {
    expectRejected(input, error);
  });

  it("accepts an 8-digit (10 m) MGRS reference", () => {
    expect(parseCoordinates("42SWD12345678")).toMatchObject({ ok: true, format: "mgrs" });
  });

  it("rejects pathological inputs quickly (no catastrophic backtracking)", () => {
    const inputs = [
      "42S 519037" + " ".repeat(480) + "x",
      "42S 519037" + "\t ".repeat(240) + "x",
      "(" + " ".repeat(497) + "x",
      "1 ".repeat(249) + "x",
      "1°".repeat(250),
      "lat ".repeat(125),
      "https://www.google.com/maps/" + "!3d1".repeat(110),
      "geo:" + "1,".repeat(240),
    ];
    const started = performance.now();
    for (const input of inputs) expect(parseCoordinates(input).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it("treats a non-string at runtime as empty input", () => {
    expect(parseCoordinates(undefined as unknown as string)).toEqual({ ok: false, error: expect.stringMatching(/^Enter/) });
  });

  it("accepts input of exactly the maximum length", () => {
    const input = "34.5553, 69.2075".padEnd(MAX_COORDINATE_INPUT_LENGTH, " ");
    expect(parseCoordinates(input)).toMatchObject({ ok: true, latitude: LAT, longitude: LON });
  });
});

describe("parseCoordinates output", () => {
  const inputs = [
    "34.5553, 69.2075",
    "-0.00000004, 10",
    "12.345678949, -179.99999999",
    "https://www.google.com/maps/@34.5553,-539.2075,15z",
    "42SWD1903623748",
    "60K 612930 8041203",
    `34°33'19.1"N 69°12'27.0"E`,
  ];
  it.each(inputs)("is in range, rounded to 7 decimals and never -0: %s", (input) => {
    const result = parseCoordinates(input);
    if (!result.ok) throw new Error(result.error);
    for (const value of [result.latitude, result.longitude]) {
      expect(Number.isFinite(value)).toBe(true);
      expect(Math.round(value * 1e7) / 1e7).toBe(value);
      expect(Object.is(value, -0)).toBe(false);
    }
    expect(Math.abs(result.latitude)).toBeLessThanOrEqual(90);
    expect(Math.abs(result.longitude)).toBeLessThanOrEqual(180);
  });

  it("returns exactly the documented shape", () => {
    expect(parseCoordinates("34.5553, 69.2075")).toEqual({ ok: true, latitude: LAT, longitude: LON, format: "decimal" });
    expect(parseCoordinates("nonsense")).toEqual({ ok: false, error: expect.any(String) });
  });
});

describe("formatCoordinates", () => {
  const cases: Array<[latitude: number, longitude: number, style: "decimal" | "dms", expected: string]> = [
    [LAT, LON, "decimal", "34.555300, 69.207500"],
    [LAT, LON, "dms", `34°33'19.1"N 69°12'27.0"E`],
    [-33.8688, 151.2093, "dms", `33°52'07.7"S 151°12'33.5"E`],
    [40.7484, -73.9857, "dms", `40°44'54.2"N 73°59'08.5"W`],
    [-33.8688, 151.2093, "decimal", "-33.868800, 151.209300"],
    [0, 0, "dms", `0°00'00.0"N 0°00'00.0"E`],
    [0, 0, "decimal", "0.000000, 0.000000"],
    [-0.00000001, -0.00000001, "decimal", "0.000000, 0.000000"],
    [-0.00000001, -0.00000001, "dms", `0°00'00.0"N 0°00'00.0"E`],
    [90, 180, "dms", `90°00'00.0"N 180°00'00.0"E`],
    [-90, -180, "decimal", "-90.000000, -180.000000"],
    [10.99999, -20.999999, "dms", `11°00'00.0"N 21°00'00.0"W`], // rounding carries into degrees
    [1.0166667, 2.0002778, "dms", `1°01'00.0"N 2°00'01.0"E`],
    [12.3456789, 98.7654321, "decimal", "12.345679, 98.765432"],
  ];
  it.each(cases)("(%d, %d, %s) -> %s", (latitude, longitude, style, expected) => {
    expect(formatCoordinates(latitude, longitude, style)).toBe(expected);
  });

  it("defaults to decimal", () => {
    expect(formatCoordinates(LAT, LON)).toBe("34.555300, 69.207500");
  });

  const invalid: Array<[latitude: number, longitude: number]> = [
    [91, 0],
    [-91, 0],
    [0, 181],
    [0, -180.5],
    [Number.NaN, 0],
    [0, Number.POSITIVE_INFINITY],
  ];
  it.each(invalid)("throws for (%d, %d)", (latitude, longitude) => {
    expect(() => formatCoordinates(latitude, longitude, "decimal")).toThrow(RangeError);
    expect(() => formatCoordinates(latitude, longitude, "dms")).toThrow(RangeError);
  });

  const roundTrip: Array<[latitude: number, longitude: number]> = [
    [LAT, LON],
    [-33.8688, 151.2093],
    [40.7484, -73.9857],
    [-0.1807, -78.4678],
    [78.2232, 15.6267],
    [-54.8019, -68.303],
    [89.9999, 179.9999],
  ];
  it.each(roundTrip)("parses its own output back to the same place: (%d, %d)", (latitude, longitude) => {
    const fromDecimal = parseCoordinates(formatCoordinates(latitude, longitude, "decimal"));
    const fromDms = parseCoordinates(formatCoordinates(latitude, longitude, "dms"));
    if (!fromDecimal.ok || !fromDms.ok) throw new Error("round trip failed to parse");
    expect(fromDecimal.format).toBe("decimal");
    expect(fromDms.format).toBe("dms");
    expect(distanceMetres(fromDecimal, { latitude, longitude })).toBeLessThan(0.1);
    expect(distanceMetres(fromDms, { latitude, longitude })).toBeLessThan(3.1); // 0.05″ per axis
  });
});

describe("PRECISION_PRESETS and validatePrecision", () => {
  it("has the documented presets, all valid", () => {
    expect(PRECISION_PRESETS).toEqual({ EXACT: 10, VICINITY: 100, LOCALITY: 1000 });
    for (const metres of Object.values(PRECISION_PRESETS)) expect(validatePrecision(metres)).toEqual({ ok: true, metres });
  });

  it.each([1, 2, 10, 100, 250, 1000, 99_999, 100_000])("accepts %d m", (metres) => {
    expect(validatePrecision(metres)).toEqual({ ok: true, metres });
  });

  const invalid: Array<[metres: number, error: RegExp]> = [
    [0, /between 1 and 100000 metres/],
    [-1, /between 1 and 100000 metres/],
    [100_001, /between 1 and 100000 metres/],
    [1e9, /between 1 and 100000 metres/],
    [1.5, /whole number/],
    [0.5, /whole number/],
    [Number.NaN, /number of metres/],
    [Number.POSITIVE_INFINITY, /number of metres/],
    ["100" as unknown as number, /number of metres/],
  ];
  it.each(invalid)("rejects %s", (metres, error) => {
    const result = validatePrecision(metres);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe("validateBearing", () => {
  const valid: Array<[input: number, expected: number]> = [
    [0, 0],
    [-0, 0],
    [0.5, 0.5],
    [90, 90],
    [180, 180],
    [271.25, 271.25],
    [359.999, 359.999],
    [360, 0],
  ];
  it.each(valid)("accepts %d as %d", (input, expected) => {
    const result = validateBearing(input);
    expect(result).toEqual({ ok: true, degrees: expected });
    if (result.ok) expect(Object.is(result.degrees, -0)).toBe(false);
  });

  const invalid: Array<[input: number, error: RegExp]> = [
    [-0.001, /between 0 and 360/],
    [-90, /between 0 and 360/],
    [360.001, /between 0 and 360/],
    [720, /between 0 and 360/],
    [Number.NaN, /must be a number/],
    [Number.POSITIVE_INFINITY, /must be a number/],
    [Number.NEGATIVE_INFINITY, /must be a number/],
  ];
  it.each(invalid)("rejects %d", (input, error) => {
    const result = validateBearing(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(error);
  });
});

describe("distanceMetres", () => {
  const kabul = { latitude: LAT, longitude: LON };
  const herat = { latitude: 34.3529, longitude: 62.204 };
  const oneDegree = (EARTH_MEAN_RADIUS_METRES * Math.PI) / 180; // 111195.08 m

  it("Kabul to Herat is about 642 km", () => {
    const d = distanceMetres(kabul, herat);
    expect(d).toBeGreaterThan(635_000);
    expect(d).toBeLessThan(650_000);
    expect(d).toBeCloseTo(vectorDistance(kabul, herat), 3);
  });

  const cases: Array<[name: string, a: LatLon, b: LatLon, expected: number]> = [
    ["same point", kabul, kabul, 0],
    ["1° along the equator", { latitude: 0, longitude: 10 }, { latitude: 0, longitude: 11 }, oneDegree],
    ["1° along a meridian", { latitude: 10, longitude: 10 }, { latitude: 11, longitude: 10 }, oneDegree],
    ["across the antimeridian", { latitude: 0, longitude: 179.5 }, { latitude: 0, longitude: -179.5 }, oneDegree],
    ["pole to pole", { latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 }, Math.PI * EARTH_MEAN_RADIUS_METRES],
    ["antipodes on the equator", { latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 }, Math.PI * EARTH_MEAN_RADIUS_METRES],
    ["equator to pole", { latitude: 0, longitude: 45 }, { latitude: 90, longitude: -120 }, (Math.PI / 2) * EARTH_MEAN_RADIUS_METRES],
    ["London to Paris", { latitude: 51.5074, longitude: -0.1278 }, { latitude: 48.8566, longitude: 2.3522 }, 343_556],
    ["1° of longitude at 60°N", { latitude: 60, longitude: 0 }, { latitude: 60, longitude: 1 }, 55_597],
    ["1 m north", { latitude: LAT, longitude: LON }, { latitude: LAT + 1 / oneDegree, longitude: LON }, 1],
  ];
  it.each(cases)("%s", (_name, a, b, expected) => {
    const d = distanceMetres(a, b);
    // Within 1 m of the rounded published/analytic value, and matching the vector formula closely.
    expect(Math.abs(d - expected)).toBeLessThan(1);
    expect(Math.abs(d - vectorDistance(a, b))).toBeLessThan(1e-3);
    expect(distanceMetres(b, a)).toBeCloseTo(d, 6);
  });
});

describe("reduceToPrecision", () => {
  // Deterministic pseudo-random points (LCG), plus awkward places: poles, antimeridian, equator.
  function randomPoints(count: number, seed: number): LatLon[] {
    let state = seed;
    const next = () => {
      state = (state * 1664525 + 1013904223) % 4294967296;
      return state / 4294967296;
    };
    const points: LatLon[] = [];
    for (let i = 0; i < count; i++) points.push({ latitude: next() * 180 - 90, longitude: next() * 360 - 180 });
    return points;
  }
  const special: LatLon[] = [
    { latitude: LAT, longitude: LON },
    { latitude: 0, longitude: 0 },
    { latitude: 90, longitude: 0 },
    { latitude: -90, longitude: 123 },
    { latitude: 89.9999, longitude: 45 },
    { latitude: -89.9995, longitude: -170 },
    { latitude: 89.5, longitude: 179.9 },
    { latitude: 85, longitude: -179.999 },
    { latitude: 0.00001, longitude: 180 },
    { latitude: -0.00001, longitude: -180 },
    { latitude: 60, longitude: 179.99999 },
    { latitude: -33.8688, longitude: 151.2093 },
  ];
  const points = [...special, ...randomPoints(300, 42)];
  // Also dense near the poles, where longitude cells are widest.
  const polar = randomPoints(200, 7).map((p) => ({ latitude: Math.sign(p.latitude) * (89 + Math.abs(p.latitude) / 90), longitude: p.longitude }));
  const precisions = [1, PRECISION_PRESETS.EXACT, 37, PRECISION_PRESETS.VICINITY, PRECISION_PRESETS.LOCALITY, 5000, 25_000, 100_000];

  it.each(precisions)("stays within √2 × %d m of the input", (metres) => {
    for (const p of [...points, ...polar]) {
      const r = reduceToPrecision(p.latitude, p.longitude, metres);
      expect(distanceMetres(p, r)).toBeLessThanOrEqual(Math.SQRT2 * metres + 0.02);
      expect(Math.abs(r.latitude)).toBeLessThanOrEqual(90);
      expect(Math.abs(r.longitude)).toBeLessThanOrEqual(180);
      expect(Math.round(r.latitude * 1e7) / 1e7).toBe(r.latitude);
      expect(Math.round(r.longitude * 1e7) / 1e7).toBe(r.longitude);
    }
  });

  it.each(precisions)("is idempotent at %d m", (metres) => {
    for (const p of points) {
      const r = reduceToPrecision(p.latitude, p.longitude, metres);
      expect(reduceToPrecision(r.latitude, r.longitude, metres)).toEqual(r);
    }
  });

  it.each(precisions)("maps every point of a cell to the same output at %d m", (metres) => {
    // A cell is at least `metres` across in both directions, so every point within
    // 0.49 × metres of a cell's centre (in latitude and in longitude) is in that cell.
    const metresPerDegree = (EARTH_MEAN_RADIUS_METRES * Math.PI) / 180;
    const offsets = [-0.49, -0.3, -0.1, 0, 0.1, 0.3, 0.49];
    for (const p of points) {
      const centre = reduceToPrecision(p.latitude, p.longitude, metres);
      if (Math.abs(centre.latitude) === 90) continue; // the polar caps are checked below
      const dLat = metres / metresPerDegree;
      const dLon = metres / (metresPerDegree * Math.cos((centre.latitude * Math.PI) / 180));
      for (const a of offsets) {
        for (const b of offsets) {
          const q = { latitude: centre.latitude + a * dLat, longitude: centre.longitude + b * dLon };
          if (Math.abs(q.longitude) > 180) continue;
          expect(reduceToPrecision(q.latitude, q.longitude, metres)).toEqual(centre);
        }
      }
    }
  });

  it("maps nearby points to one output and far points to different ones", () => {
    const metres = PRECISION_PRESETS.VICINITY;
    const centre = reduceToPrecision(LAT, LON, metres);
    const nudged = [
      [centre.latitude + 0.0001, centre.longitude - 0.0001],
      [centre.latitude - 0.0002, centre.longitude + 0.0003],
      [centre.latitude, centre.longitude + 0.0004],
    ] as const;
    for (const [latitude, longitude] of nudged) expect(reduceToPrecision(latitude, longitude, metres)).toEqual(centre);
    expect(reduceToPrecision(LAT + 0.01, LON, metres)).not.toEqual(centre);
    expect(reduceToPrecision(LAT, LON + 0.01, metres)).not.toEqual(centre);
  });

  it.each(precisions)("never distinguishes places finer than %d m", (metres) => {
    // Neighbouring outputs are cell centres, at least `metres` apart.
    let compared = 0;
    for (const p of points) {
      const r = reduceToPrecision(p.latitude, p.longitude, metres);
      for (const [dLat, dLon] of [
        [0.6, 0],
        [0, 0.6],
        [-0.6, 0],
        [0, -0.6],
        [0.6, 0.6],
      ] as const) {
        const metresPerDegree = (EARTH_MEAN_RADIUS_METRES * Math.PI) / 180;
        const cos = Math.max(1e-6, Math.cos((p.latitude * Math.PI) / 180));
        const latitude = p.latitude + (dLat * metres) / metresPerDegree;
        const longitude = p.longitude + (dLon * metres) / (metresPerDegree * cos);
        if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) continue;
        const other = reduceToPrecision(latitude, longitude, metres);
        if (other.latitude === r.latitude && other.longitude === r.longitude) continue;
        compared++;
        // Slack: great circle vs parallel, and output rounding to 7 decimals (≤ 1 cm).
        expect(distanceMetres(r, other)).toBeGreaterThanOrEqual(metres * 0.999 - 0.02);
      }
    }
    expect(compared).toBeGreaterThan(0);
  });

  it("snaps the polar caps to the poles", () => {
    expect(reduceToPrecision(89.99999, 123, 100)).toEqual({ latitude: 90, longitude: 0 });
    expect(reduceToPrecision(90, -45, 1000)).toEqual({ latitude: 90, longitude: 0 });
    expect(reduceToPrecision(-90, 0, 1000)).toEqual({ latitude: -90, longitude: 0 });
  });

  it("treats 180° and -180° as the same meridian", () => {
    for (const metres of precisions) {
      expect(reduceToPrecision(12.3, 180, metres)).toEqual(reduceToPrecision(12.3, -180, metres));
    }
  });

  it("coarsens as the precision grows", () => {
    const fine = reduceToPrecision(LAT, LON, 10);
    const coarse = reduceToPrecision(LAT, LON, 100_000);
    expect(distanceMetres({ latitude: LAT, longitude: LON }, fine)).toBeLessThanOrEqual(10 * Math.SQRT2);
    expect(distanceMetres({ latitude: LAT, longitude: LON }, coarse)).toBeLessThanOrEqual(100_000 * Math.SQRT2);
  });

  const invalid: Array<[latitude: number, longitude: number, metres: number]> = [
    [LAT, LON, 0],
    [LAT, LON, -10],
    [LAT, LON, Number.NaN],
    [91, LON, 100],
    [LAT, 181, 100],
    [Number.NaN, LON, 100],
  ];
  it.each(invalid)("throws for (%d, %d, %d m)", (latitude, longitude, metres) => {
    expect(() => reduceToPrecision(latitude, longitude, metres)).toThrow(RangeError);
  });
});
