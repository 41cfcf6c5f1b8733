// Sun position and shadows, for chronolocation: "at what time of that day does a shadow point
// this way (and have this length)?".
//
// Pure. Positions come from suncalc 2.x, which returns DEGREES with azimuth clockwise from
// NORTH (suncalc 1.x returned radians measured from south; sun.test.ts compares every value
// against an independent NOAA computation, so a unit or convention mix-up fails the tests).
// suncalc's altitude is the apparent (refraction-corrected) one, which is what casts a shadow.
// Below the horizon suncalc still adds the horizon refraction (~0.48°), so elevations under 0
// are indicative only; nothing here uses them except to say "no shadow".
//
// Times are instants (Date, UTC). A "day" is a LOCAL calendar day in an IANA time zone, found
// with Intl (no fixed offsets): it is 23 or 25 hours long on DST changes, and it starts at
// 01:00 when a zone skips midnight (Asia/Tehran, Africa/Cairo, ...).

import { getPosition, getTimes } from "suncalc";
import { DomainError } from "./errors";

// ---------------------------------------------------------------------------------------------
// Types

export interface SunPosition {
  /** Degrees clockwise from true north, 0 ≤ azimuth < 360 (90 = east, 180 = south). */
  azimuthDeg: number;
  /** Apparent elevation above the horizon in degrees (refraction included); negative = below. */
  elevationDeg: number;
}

export interface Shadow {
  /** Direction the shadow points from the object's foot, degrees clockwise from true north. */
  bearingDeg: number;
  /** Shadow length / object height on level ground: 1 / tan(elevation). */
  lengthRatio: number;
}

export interface SunDaySample {
  at: Date;
  /** Wall-clock time in the day's zone, "HH:MM" (repeats/skips on DST changes). */
  localTime: string;
  azimuthDeg: number;
  elevationDeg: number;
  shadowBearingDeg: number | null;
  shadowLengthRatio: number | null;
}

export interface SunDay {
  day: string;
  timeZone: string;
  /** First instant of the local day. */
  dayStart: Date;
  /** First instant of the next local day (exclusive end). */
  dayEnd: Date;
  samples: SunDaySample[];
  /** Upper limb on the horizon (suncalc, -0.833°); null on polar day or polar night. */
  sunrise: Date | null;
  sunset: Date | null;
  solarNoon: Date;
  sunriseLocal: string | null;
  sunsetLocal: string | null;
  solarNoonLocal: string;
  /** "day" when the sun never sets, "night" when it never rises, else null. */
  polar: "day" | "night" | null;
}

export interface MatchShadowInput {
  /** Local calendar day, "YYYY-MM-DD". */
  day: string;
  lat: number;
  lon: number;
  /** IANA zone the day is counted in, e.g. "Asia/Kabul". */
  timeZone: string;
  /** Measured shadow direction, degrees clockwise from true north (0..360). */
  shadowBearingDeg: number;
  /** ± degrees accepted around the bearing (0.1..45). Default 5. */
  toleranceDeg?: number;
  /** Height of the object casting the shadow (give with shadowLengthM). */
  objectHeightM?: number;
  /** Length of its shadow on level ground, same unit as the height. */
  shadowLengthM?: number;
  /** Relative tolerance on the length ratio, 0.15 = ±15%. Default 0.15. */
  lengthTolerance?: number;
  /** Sampling step in minutes (1..60). Default 1. */
  stepMinutes?: number;
}

export interface ShadowWindow {
  /** First sampled instant that matches. */
  start: Date;
  /** Last sampled instant that matches (inclusive). */
  end: Date;
  startLocal: string;
  endLocal: string;
  /** Instant inside the window where the shadow fits the measurement best (to the second). */
  bestAt: Date;
  bestAtLocal: string;
  /** |shadow bearing − measured bearing| at bestAt, degrees. */
  bearingErrorDeg: number;
  /** Shadow length ratio at bestAt. */
  shadowLengthRatio: number;
  /** |ratio − measured ratio| / measured ratio at bestAt; null when no length was given. */
  lengthErrorRel: number | null;
  /** Sun at bestAt. */
  azimuthDeg: number;
  elevationDeg: number;
}

// ---------------------------------------------------------------------------------------------
// Validation: each helper returns a message, or null when the value is fine.

export const TOLERANCE_MIN_DEG = 0.1;
export const TOLERANCE_MAX_DEG = 45;
const YEAR_MIN = 1900; // suncalc's ΔT fit is good for about 1900–2150
const YEAR_MAX = 2150;

const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

export function validateLatitude(lat: unknown): string | null {
  return isNum(lat) && lat >= -90 && lat <= 90 ? null : "Latitude must be a number from -90 to 90 degrees (north positive).";
}

export function validateLongitude(lon: unknown): string | null {
  return isNum(lon) && lon >= -180 && lon <= 180 ? null : "Longitude must be a number from -180 to 180 degrees (east positive).";
}

export function validateBearing(bearing: unknown): string | null {
  return isNum(bearing) && bearing >= 0 && bearing <= 360
    ? null
    : "Shadow bearing must be a number from 0 to 360 degrees, clockwise from true north.";
}

export function validateTolerance(toleranceDeg: unknown): string | null {
  return isNum(toleranceDeg) && toleranceDeg >= TOLERANCE_MIN_DEG && toleranceDeg <= TOLERANCE_MAX_DEG
    ? null
    : `Bearing tolerance must be from ${TOLERANCE_MIN_DEG} to ${TOLERANCE_MAX_DEG} degrees.`;
}

export function validateLengthTolerance(relative: unknown): string | null {
  return isNum(relative) && relative >= 0.01 && relative <= 1
    ? null
    : "Length tolerance must be a fraction from 0.01 to 1 (0.15 means ±15%).";
}

export function validatePositiveLength(value: unknown, what: string): string | null {
  return isNum(value) && value > 0 ? null : `${what} must be a positive number.`;
}

export function validateStepMinutes(step: unknown, max: number): string | null {
  return isNum(step) && Number.isInteger(step) && step >= 1 && step <= max
    ? null
    : `Step must be a whole number of minutes from 1 to ${max}.`;
}

export function validateIsoDay(day: unknown): string | null {
  const msg = `Date must be a real calendar day written YYYY-MM-DD, between ${YEAR_MIN} and ${YEAR_MAX}.`;
  if (typeof day !== "string") return msg;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return msg;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < YEAR_MIN || y > YEAR_MAX) return msg;
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d ? null : msg;
}

export function validateTimeZone(timeZone: unknown): string | null {
  if (typeof timeZone === "string" && timeZone.trim() !== "") {
    try {
      formatterFor(timeZone);
      return null;
    } catch {
      // fall through
    }
  }
  return `Unknown time zone ${JSON.stringify(timeZone)}: use an IANA name such as "Asia/Kabul" or "Europe/Berlin".`;
}

export function validateInstant(date: unknown): string | null {
  return date instanceof Date && Number.isFinite(date.getTime()) ? null : "Time must be a valid date.";
}

type FieldErrors = Record<string, string[]>;

function collect(checks: Record<string, string | null>): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, message] of Object.entries(checks)) if (message) errors[field] = [message];
  return errors;
}

function throwIfAny(errors: FieldErrors): void {
  const messages = Object.values(errors).flat();
  if (messages.length > 0) throw new DomainError("VALIDATION", messages.join(" "), errors);
}

/** Field errors of a matchShadow query (empty object when it is valid), for forms and APIs. */
export function validateMatchShadowInput(input: MatchShadowInput): FieldErrors {
  const hasHeight = input.objectHeightM !== undefined;
  const hasLength = input.shadowLengthM !== undefined;
  return collect({
    day: validateIsoDay(input.day),
    lat: validateLatitude(input.lat),
    lon: validateLongitude(input.lon),
    timeZone: validateTimeZone(input.timeZone),
    shadowBearingDeg: validateBearing(input.shadowBearingDeg),
    toleranceDeg: input.toleranceDeg === undefined ? null : validateTolerance(input.toleranceDeg),
    objectHeightM: hasHeight
      ? validatePositiveLength(input.objectHeightM, "Object height")
      : hasLength
        ? "Give the object's height together with its shadow length."
        : null,
    shadowLengthM: hasLength
      ? validatePositiveLength(input.shadowLengthM, "Shadow length")
      : hasHeight
        ? "Give the shadow length together with the object's height."
        : null,
    lengthTolerance: input.lengthTolerance === undefined ? null : validateLengthTolerance(input.lengthTolerance),
    stepMinutes: input.stepMinutes === undefined ? null : validateStepMinutes(input.stepMinutes, 60),
  });
}

// ---------------------------------------------------------------------------------------------
// Angles

const RAD = Math.PI / 180;

/** Angle in [0, 360). */
export function normalizeDeg(deg: number): number {
  const r = deg % 360;
  return r < 0 ? r + 360 : r === 0 ? 0 : r; // also turns -0 into 0
}

/** Signed smallest difference a − b in degrees, in [-180, 180). */
export function angleDiffDeg(a: number, b: number): number {
  return normalizeDeg(a - b + 180) - 180;
}

// ---------------------------------------------------------------------------------------------
// Sun and shadow at one instant

function rawPosition(date: Date, lat: number, lon: number): SunPosition {
  const p = getPosition(date, lat, lon);
  return { azimuthDeg: normalizeDeg(p.azimuth), elevationDeg: p.altitude };
}

function shadowOf(pos: SunPosition): Shadow | null {
  if (!(pos.elevationDeg > 0)) return null;
  return { bearingDeg: normalizeDeg(pos.azimuthDeg + 180), lengthRatio: 1 / Math.tan(pos.elevationDeg * RAD) };
}

function checkPoint(date: Date, lat: number, lon: number): void {
  throwIfAny(collect({ date: validateInstant(date), lat: validateLatitude(lat), lon: validateLongitude(lon) }));
}

/** Sun azimuth (clockwise from north) and apparent elevation, in degrees. */
export function sunPosition(date: Date, lat: number, lon: number): SunPosition {
  checkPoint(date, lat, lon);
  return rawPosition(date, lat, lon);
}

/** Where a vertical object's shadow points and how long it is; null when the sun is down. */
export function shadowAt(date: Date, lat: number, lon: number): Shadow | null {
  checkPoint(date, lat, lon);
  return shadowOf(rawPosition(date, lat, lon));
}

// ---------------------------------------------------------------------------------------------
// Local days in an IANA zone

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // Throws RangeError for an unknown zone.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(ms: number, timeZone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    if (part.type in out) out[part.type as keyof WallClock] = Number(part.value);
  }
  if (out.hour === 24) out.hour = 0; // defensive: some engines render midnight as 24 even with h23
  return out;
}

/** UTC offset in ms (local − UTC) in force at the instant, to the second. */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** "HH:MM" wall-clock time of an instant in a zone. */
export function localTimeOf(date: Date, timeZone: string): string {
  const w = wallClock(date.getTime(), timeZone);
  return `${String(w.hour).padStart(2, "0")}:${String(w.minute).padStart(2, "0")}`;
}

/**
 * First instant whose local date in `timeZone` is the given day. Usually local 00:00; the
 * earlier of the two when a fall-back repeats midnight; the moment of the change (local 01:00)
 * when the zone skips midnight. Assumes at most one offset change within a day of midnight.
 */
function startOfLocalDay(year: number, month: number, day: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day); // the wall-clock midnight, read as if it were UTC
  const offBefore = offsetAt(wall - DAY_MS, timeZone);
  const offAfter = offsetAt(wall + DAY_MS, timeZone);
  const valid = [wall - offBefore, wall - offAfter].filter((t) => offsetAt(t, timeZone) === wall - t);
  if (valid.length > 0) return Math.min(...valid);
  // Midnight does not exist: the day begins at the offset change, between the two candidates.
  let lo = Math.min(wall - offBefore, wall - offAfter);
  let hi = Math.max(wall - offBefore, wall - offAfter);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === offAfter) hi = mid;
    else lo = mid;
  }
  return hi;
}

function parseDay(day: string): { year: number; month: number; day: number } {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return { year: y, month: m, day: d };
}

/** [start, end) of a local calendar day as UTC instants. */
export function localDayBounds(day: string, timeZone: string): { start: Date; end: Date } {
  throwIfAny(collect({ day: validateIsoDay(day), timeZone: validateTimeZone(timeZone) }));
  const p = parseDay(day);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  return {
    start: new Date(startOfLocalDay(p.year, p.month, p.day, timeZone)),
    end: new Date(startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone)),
  };
}

// ---------------------------------------------------------------------------------------------
// A whole day

/**
 * The sun over one local day, sampled every `stepMinutes` from local midnight, plus sunrise,
 * sunset and solar noon (suncalc getTimes, for the solar day whose noon is nearest the middle
 * of the local day).
 */
export function sunDay(dateIsoDay: string, lat: number, lon: number, timeZone: string, stepMinutes = 10): SunDay {
  throwIfAny(
    collect({
      day: validateIsoDay(dateIsoDay),
      lat: validateLatitude(lat),
      lon: validateLongitude(lon),
      timeZone: validateTimeZone(timeZone),
      stepMinutes: validateStepMinutes(stepMinutes, 180),
    }),
  );
  const { start, end } = localDayBounds(dateIsoDay, timeZone);
  const samples: SunDaySample[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += stepMinutes * MINUTE_MS) {
    const at = new Date(t);
    const pos = rawPosition(at, lat, lon);
    const shadow = shadowOf(pos);
    samples.push({
      at,
      localTime: localTimeOf(at, timeZone),
      azimuthDeg: pos.azimuthDeg,
      elevationDeg: pos.elevationDeg,
      shadowBearingDeg: shadow ? shadow.bearingDeg : null,
      shadowLengthRatio: shadow ? shadow.lengthRatio : null,
    });
  }

  const middle = new Date((start.getTime() + end.getTime()) / 2);
  const times = getTimes(middle, lat, lon);
  const local = (d: Date | null) => (d ? localTimeOf(d, timeZone) : null);
  return {
    day: dateIsoDay,
    timeZone,
    dayStart: start,
    dayEnd: end,
    samples,
    sunrise: times.sunrise,
    sunset: times.sunset,
    solarNoon: times.solarNoon,
    sunriseLocal: local(times.sunrise),
    sunsetLocal: local(times.sunset),
    solarNoonLocal: localTimeOf(times.solarNoon, timeZone),
    polar: times.alwaysUp ? "day" : times.alwaysDown ? "night" : null,
  };
}

/** A row of the "sun through the day" table: its instant in the day's zone and in UTC. */
export interface SunTableRow extends SunDaySample {
  /** "HH:MM" UTC. */
  utcTime: string;
}

/**
 * The sun over a local day at every whole hour of the zone's wall clock AND every whole hour of
 * UTC. In zones whose offset is not whole hours (Asia/Kabul is UTC+4:30, Asia/Kathmandu +5:45)
 * these differ, and investigators work in both: a table stepped only by local hours has no row
 * for 03:00 UTC in Kabul.
 */
export function sunTable(dateIsoDay: string, lat: number, lon: number, timeZone: string): SunTableRow[] {
  return sunDay(dateIsoDay, lat, lon, timeZone, 15)
    .samples.map((sample) => ({ ...sample, utcTime: sample.at.toISOString().slice(11, 16) }))
    .filter((row) => row.localTime.endsWith(":00") || row.utcTime.endsWith(":00"));
}

// ---------------------------------------------------------------------------------------------
// Matching a measured shadow

/**
 * Time windows of a local day when a vertical object's shadow points along the measured
 * bearing (± toleranceDeg, across 0/360) and, when height and shadow length are given, has
 * their ratio (± lengthTolerance, relative). The sun must be above the horizon. Consecutive
 * matching samples merge into one window. Usually one window; none when the bearing cannot
 * occur that day; two where the sun's azimuth turns back (between the tropics).
 */
export function matchShadow(input: MatchShadowInput): ShadowWindow[] {
  throwIfAny(validateMatchShadowInput(input));
  const { day, lat, lon, timeZone } = input;
  const target = normalizeDeg(input.shadowBearingDeg);
  const tolerance = input.toleranceDeg ?? 5;
  const lengthTolerance = input.lengthTolerance ?? 0.15;
  const step = (input.stepMinutes ?? 1) * MINUTE_MS;
  const targetRatio =
    input.objectHeightM !== undefined && input.shadowLengthM !== undefined ? input.shadowLengthM / input.objectHeightM : null;

  const evaluate = (t: number) => {
    const pos = rawPosition(new Date(t), lat, lon);
    const shadow = shadowOf(pos);
    if (!shadow) return null;
    const bearingError = Math.abs(angleDiffDeg(shadow.bearingDeg, target));
    const lengthError = targetRatio === null ? null : Math.abs(shadow.lengthRatio - targetRatio) / targetRatio;
    const matches = bearingError <= tolerance && (lengthError === null || lengthError <= lengthTolerance);
    // How badly it fits, in units of each tolerance, for choosing the best instant.
    const score = (bearingError / tolerance) ** 2 + (lengthError === null ? 0 : (lengthError / lengthTolerance) ** 2);
    return { pos, shadow, bearingError, lengthError, matches, score };
  };

  const { start, end } = localDayBounds(day, timeZone);
  const runs: { first: number; last: number; best: number; bestScore: number }[] = [];
  let open: (typeof runs)[number] | null = null;
  for (let t = start.getTime(); t < end.getTime(); t += step) {
    const e = evaluate(t);
    if (e?.matches) {
      if (!open) {
        open = { first: t, last: t, best: t, bestScore: e.score };
        runs.push(open);
      }
      open.last = t;
      if (e.score < open.bestScore) {
        open.best = t;
        open.bestScore = e.score;
      }
    } else {
      open = null;
    }
  }

  return runs.map((run) => {
    // Refine the best sample to the second by ternary search, staying inside the window.
    let lo = Math.max(run.first, run.best - step);
    let hi = Math.min(run.last, run.best + step);
    const scoreAt = (t: number) => evaluate(t)?.score ?? Number.POSITIVE_INFINITY;
    while (hi - lo > 1000) {
      const m1 = lo + (hi - lo) / 3;
      const m2 = hi - (hi - lo) / 3;
      if (scoreAt(m1) <= scoreAt(m2)) hi = m2;
      else lo = m1;
    }
    let bestT = Math.round((lo + hi) / 2000) * 1000;
    if (scoreAt(bestT) > run.bestScore) bestT = run.best;
    const best = evaluate(bestT);
    if (!best) throw new Error("unreachable: the best instant of a window has the sun up");
    const bestAt = new Date(bestT);
    return {
      start: new Date(run.first),
      end: new Date(run.last),
      startLocal: localTimeOf(new Date(run.first), timeZone),
      endLocal: localTimeOf(new Date(run.last), timeZone),
      bestAt,
      bestAtLocal: localTimeOf(bestAt, timeZone),
      bearingErrorDeg: best.bearingError,
      shadowLengthRatio: best.shadow.lengthRatio,
      lengthErrorRel: best.lengthError,
      azimuthDeg: best.pos.azimuthDeg,
      elevationDeg: best.pos.elevationDeg,
    };
  });
}
