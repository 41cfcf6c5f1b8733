import "server-only";
import sharp from "sharp";

/**
 * What a (fictional) camera writes into the photo: the same EXIF fields a real phone writes, so
 * the demo's files go through metadata extraction like real uploads and show its findings.
 */
export interface SyntheticCamera {
  make: string;
  model: string;
  /** Firmware, or an editor's name for a photo that went through one (flagged as edited). */
  software?: string;
  /** The moment of capture (UTC); written as the camera's local wall-clock time with `utcOffset`. */
  takenAt: Date;
  /** The camera's UTC offset, "+04:30" for Afghanistan. */
  utcOffset: string;
  gps?: { latitude: number; longitude: number; altitudeM?: number };
}

/**
 * A clearly synthetic scene (sky, hills, a marker and a caption) rendered locally as a JPEG
 * photo. With `camera`, the file carries EXIF (camera, capture time and offset, GPS with its
 * UTC clock); without it, no metadata at all, as after a messaging app stripped it.
 */
export async function renderSyntheticImage(caption: string, hue: number, camera?: SyntheticCamera): Promise<Buffer> {
  const safeCaption = caption.replace(/[<>&"']/g, "");
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="hsl(${hue},60%,75%)"/><stop offset="1" stop-color="hsl(${hue},40%,92%)"/>
    </linearGradient></defs>
    <rect width="640" height="400" fill="url(#sky)"/>
    <path d="M0 260 L120 180 L220 240 L340 150 L470 230 L560 190 L640 240 L640 400 L0 400 Z" fill="hsl(${(hue + 40) % 360},25%,45%)"/>
    <rect x="0" y="300" width="640" height="100" fill="hsl(${(hue + 20) % 360},20%,60%)"/>
    <rect x="260" y="230" width="70" height="70" fill="#ddd" stroke="#555"/>
    <rect x="345" y="200" width="16" height="100" fill="#eee" stroke="#555"/>
    <text x="20" y="40" font-family="sans-serif" font-size="22" fill="#222">SYNTHETIC DEMO IMAGE - NOT REAL EVIDENCE</text>
    <text x="20" y="375" font-family="sans-serif" font-size="20" fill="#111">${safeCaption}</text>
  </svg>`;
  const jpeg = sharp(Buffer.from(svg)).jpeg({ quality: 88 });
  return (camera ? jpeg.withExif(exifOf(camera)) : jpeg).toBuffer();
}

// libvips reads each value up to " (", so no parentheses inside values.
function exifOf(camera: SyntheticCamera): Record<string, Record<string, string>> {
  const offsetMinutes = parseOffset(camera.utcOffset);
  const local = new Date(camera.takenAt.getTime() + offsetMinutes * 60_000);
  const exifDate = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ").replace(/-/g, ":");
  const ifd0: Record<string, string> = { Make: camera.make, Model: camera.model, ModifyDate: exifDate(local) };
  if (camera.software) ifd0.Software = camera.software;
  const exif = { DateTimeOriginal: exifDate(local), DateTimeDigitized: exifDate(local), OffsetTimeOriginal: camera.utcOffset, OffsetTime: camera.utcOffset };
  const result: Record<string, Record<string, string>> = { IFD0: ifd0, IFD2: exif };
  if (camera.gps) {
    const { latitude, longitude, altitudeM } = camera.gps;
    const utc = camera.takenAt;
    result.IFD3 = {
      GPSLatitudeRef: latitude < 0 ? "S" : "N",
      GPSLatitude: dms(Math.abs(latitude)),
      GPSLongitudeRef: longitude < 0 ? "W" : "E",
      GPSLongitude: dms(Math.abs(longitude)),
      ...(altitudeM !== undefined ? { GPSAltitudeRef: "0", GPSAltitude: `${Math.round(altitudeM * 10)}/10` } : {}),
      GPSDateStamp: utc.toISOString().slice(0, 10).replace(/-/g, ":"),
      GPSTimeStamp: `${utc.getUTCHours()}/1 ${utc.getUTCMinutes()}/1 ${utc.getUTCSeconds()}/1`,
    };
  }
  return result;
}

function parseOffset(offset: string): number {
  const match = /^([+-])(\d{2}):(\d{2})$/.exec(offset);
  if (!match) throw new Error(`Not a UTC offset: ${offset}`);
  return (match[1] === "-" ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** Degrees as EXIF rationals: degrees, minutes, seconds to 1/100. */
function dms(value: number): string {
  const degrees = Math.floor(value);
  const minutesFull = (value - degrees) * 60;
  const minutes = Math.floor(minutesFull);
  const hundredthsOfSeconds = Math.round((minutesFull - minutes) * 60 * 100);
  return `${degrees}/1 ${minutes}/1 ${hundredthsOfSeconds}/100`;
}
