import "server-only";
// Public copies of published evidence: new files decoded from the original and re-encoded, so
// nothing of the original container survives (no EXIF, GPS, XMP, IPTC, ICC, QuickTime keys,
// ISO 6709 location, creation times, device names, timed-metadata tracks). Editor-marked
// regions (faces, name tags) are destroyed in the pixels, not covered by a layer a viewer
// could remove, and graphic items also get a heavily blurred, greyscale rendition to show
// behind a click-through warning.
//
// Decoding reuses derivatives.ts (type sniffing, decompression-bomb limits, the HEVC HEIC
// decoder, the no-shell ffmpeg runner with protocol/demuxer whitelists and timeouts). Unlike
// thumbnails, a public copy is refused when the original is truncated: half a grey picture is
// not fit to publish.
import path from "node:path";
import sharp, { type OverlayOptions } from "sharp";
import { inputArgs, openImage, probeVideo, validation } from "./derivatives";
import { runMediaTool } from "./media-tools";

/** Longest side of a public image, in pixels (never enlarged). HEIC originals decode at 1024. */
export const PUBLIC_IMAGE_MAX_SIDE = 1600;
/** Longest side of a public video, in pixels (never enlarged). */
export const PUBLIC_VIDEO_MAX_SIDE = 1280;
/** Longer videos are refused: publishing is for clips, and encoding time grows with length. */
export const MAX_PUBLIC_VIDEO_SECONDS = 30 * 60;

const JPEG_QUALITY = 85;
/** A blurred region keeps at most this many samples on its long side before being enlarged. */
const REGION_SAMPLES = 6;
/** The blurred rendition keeps at most this many samples on its long side. */
const BLURRED_SAMPLES = 24;
/** Redacted video regions are never smaller than this (pixels), so the blur has room to work. */
const MIN_VIDEO_REGION_PX = 16;

const POSTER_TIMEOUT_MS = 30_000;
/** Encoding budget: a fixed start-up allowance plus a multiple of the clip's length. */
const ENCODE_BASE_TIMEOUT_MS = 60_000;
const ENCODE_TIMEOUT_PER_SECOND_MS = 4_000;

/** A rectangle as fractions (0..1) of the picture as displayed, i.e. after EXIF/container rotation. */
export interface BlurRegion {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PublicImage {
  buffer: Buffer;
  mime: "image/jpeg";
  width: number;
  height: number;
}

export interface PublicVideo {
  /** The MP4 written into the work directory. */
  filePath: string;
  mime: "video/mp4";
  width: number;
  height: number;
  durationSeconds: number | null;
  /** First frame of the public video (regions already blurred), as a JPEG. */
  poster: PublicImage;
  /** The poster blurred and greyscale, when asked for (graphic items). */
  blurredPoster: PublicImage | null;
}

interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

// ---------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------

/**
 * A metadata-free sRGB JPEG of an image: upright by its EXIF orientation, at most
 * PUBLIC_IMAGE_MAX_SIDE px on the long side, each region blurred beyond recognition, and the
 * whole picture blurred and greyscale when `blur` is true. Throws VALIDATION for anything that
 * is not a complete image we can decode (corrupt, truncated, too large, unsupported type).
 */
export async function makePublicImage(input: string | Buffer, options: { regions: readonly BlurRegion[]; blur: boolean }): Promise<PublicImage> {
  const image = await openImage(input, { strict: true });
  if (!image) throw validation("This image type cannot be made into a public copy.");
  let raw: RawImage;
  try {
    const { data, info } = await image
      .resize({ width: PUBLIC_IMAGE_MAX_SIDE, height: PUBLIC_IMAGE_MAX_SIDE, fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    raw = { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw validation("The image could not be decoded; it may be corrupt or truncated.", error);
  }
  try {
    if (options.regions.length > 0) raw = await blurRegions(raw, options.regions);
    if (options.blur) raw = await blurWhole(raw);
    const { data, info } = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
      .jpeg({ quality: JPEG_QUALITY })
      .toBuffer({ resolveWithObject: true });
    return { buffer: data, mime: "image/jpeg", width: info.width, height: info.height };
  } catch (error) {
    throw validation("The public copy of the image could not be made.", error);
  }
}

/** Pixel rectangle of a fractional region, clamped to the picture and at least 1 px each way. */
export function regionToPixels(region: BlurRegion, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const clamp = (value: number, max: number) => Math.min(max, Math.max(0, Number.isFinite(value) ? value : 0));
  const left = Math.min(width - 1, Math.floor(clamp(region.x, 1) * width));
  const top = Math.min(height - 1, Math.floor(clamp(region.y, 1) * height));
  const right = Math.max(left + 1, Math.min(width, Math.ceil(clamp(region.x + region.w, 1) * width)));
  const bottom = Math.max(top + 1, Math.min(height, Math.ceil(clamp(region.y + region.h, 1) * height)));
  return { left, top, width: right - left, height: bottom - top };
}

/**
 * Each region is shrunk to a handful of samples and enlarged again with smooth interpolation:
 * a blur so strong that only the average colours survive, and which no deblurring can undo.
 */
async function blurRegions(image: RawImage, regions: readonly BlurRegion[]): Promise<RawImage> {
  const rawOptions = { raw: { width: image.width, height: image.height, channels: image.channels } };
  const patches: OverlayOptions[] = [];
  for (const region of regions) {
    const box = regionToPixels(region, image.width, image.height);
    const scale = Math.min(1, REGION_SAMPLES / Math.max(box.width, box.height));
    const small = await sharp(image.data, rawOptions)
      .extract(box)
      .resize(Math.max(1, Math.round(box.width * scale)), Math.max(1, Math.round(box.height * scale)), { fit: "fill", kernel: "linear" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const patch = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } })
      .resize(box.width, box.height, { fit: "fill", kernel: "cubic" })
      .raw()
      .toBuffer({ resolveWithObject: true });
    patches.push({ input: patch.data, raw: { width: patch.info.width, height: patch.info.height, channels: patch.info.channels }, left: box.left, top: box.top });
  }
  const { data, info } = await sharp(image.data, rawOptions).composite(patches).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

/** The whole picture reduced to a coarse greyscale blur, at its original size. */
async function blurWhole(image: RawImage): Promise<RawImage> {
  const scale = Math.min(1, BLURRED_SAMPLES / Math.max(image.width, image.height));
  const small = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .greyscale()
    .resize(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const { data, info } = await sharp(small.data, { raw: { width: small.info.width, height: small.info.height, channels: small.info.channels } })
    .resize(image.width, image.height, { fit: "fill", kernel: "cubic" })
    // Smooths the interpolation grid that cubic enlargement leaves at this scale factor.
    .blur(Math.max(1, Math.max(image.width, image.height) / (BLURRED_SAMPLES * 4)))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

// ---------------------------------------------------------------------------------------------
// Video
// ---------------------------------------------------------------------------------------------

/**
 * Re-encodes a video as H.264/AAC MP4 (first video and first audio stream only; subtitle, data
 * and timed-metadata tracks dropped), upright, at most PUBLIC_VIDEO_MAX_SIDE px on the long
 * side, with every container and stream tag, chapter, creation time and encoder version
 * removed and the regions box-blurred in every frame. Writes `public.mp4` into `workDir` and
 * returns it with a poster frame (and its blurred rendition when `blurredPoster`). Throws
 * VALIDATION for an unreadable or corrupt video, one longer than MAX_PUBLIC_VIDEO_SECONDS, or
 * one that takes too long to encode.
 */
export async function makePublicVideo(
  inputPath: string,
  options: { regions: readonly BlurRegion[]; workDir: string; blurredPoster?: boolean },
): Promise<PublicVideo> {
  const source = path.resolve(inputPath);
  const probe = await probeVideo(source);
  if (probe.durationSeconds !== null && probe.durationSeconds > MAX_PUBLIC_VIDEO_SECONDS) {
    throw validation(`The video is too long to publish (${Math.round(probe.durationSeconds / 60)} minutes; the limit is ${MAX_PUBLIC_VIDEO_SECONDS / 60} minutes).`);
  }
  const output = path.join(path.resolve(options.workDir), "public.mp4");
  const timeoutMs = ENCODE_BASE_TIMEOUT_MS + ENCODE_TIMEOUT_PER_SECOND_MS * (probe.durationSeconds ?? MAX_PUBLIC_VIDEO_SECONDS);
  const result = await runMediaTool(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-nostats", "-v", "error", "-y"],
      ...inputArgs(source),
      ...["-filter_complex", videoFilterGraph(probe.streamIndex, options.regions), "-map", "[vout]", "-map", "0:a:0?"],
      ...["-sn", "-dn", "-map_metadata", "-1", "-map_chapters", "-1"],
      // bitexact: no encoder version strings and zero creation/modification times in mvhd/tkhd.
      ...["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"],
      ...["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
      ...["-c:a", "aac", "-b:a", "128k", "-ac", "2"],
      ...["-t", String(MAX_PUBLIC_VIDEO_SECONDS), "-max_muxing_queue_size", "1024", "-movflags", "+faststart", "-f", "mp4", `file:${output}`],
    ],
    { timeoutMs, maxStdoutBytes: 1024 ** 2 },
  );
  if (result.timedOut) throw validation("Encoding the public copy of the video took too long.", result.stderr);
  if (result.exitCode !== 0) throw validation("The video could not be re-encoded; it may be corrupt or truncated.", result.stderr);

  const encoded = await probeVideo(output);
  const frame = await firstFrame(output, encoded.width * encoded.height * 3 * 2 + 1024 ** 2);
  const poster = await makePublicImage(frame, { regions: [], blur: false });
  const blurredPoster = options.blurredPoster ? await makePublicImage(poster.buffer, { regions: [], blur: true }) : null;
  return { filePath: output, mime: "video/mp4", width: encoded.width, height: encoded.height, durationSeconds: encoded.durationSeconds, poster, blurredPoster };
}

/**
 * Scale (long side capped, even sizes for yuv420p), then for each region: crop a copy,
 * box-blur it three times over a radius of a quarter of its short side, and lay it back at
 * the same place. Positions are expressions of the frame size after autorotation and scaling,
 * so regions drawn on the upright picture land right whatever the container's rotation.
 */
export function videoFilterGraph(streamIndex: number, regions: readonly BlurRegion[]): string {
  const max = PUBLIC_VIDEO_MAX_SIDE;
  const scale =
    `scale=w='if(gte(iw,ih),min(${max},trunc(iw/2)*2),-2)':h='if(gte(iw,ih),-2,min(${max},trunc(ih/2)*2))'` + ",format=yuv420p,setsar=1";
  if (regions.length === 0) return `[0:${streamIndex}]${scale}[vout]`;
  const n = regions.length;
  const labels = regions.map((_, i) => `[r${i}]`).join("");
  const parts = [`[0:${streamIndex}]${scale},split=${n + 1}[v0]${labels}`];
  const f = (value: number) => Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0)).toFixed(6);
  const min = MIN_VIDEO_REGION_PX;
  regions.forEach((region, i) => {
    const w = `'min(iw,max(${min},trunc(iw*${f(region.w)}/2)*2))'`;
    const h = `'min(ih,max(${min},trunc(ih*${f(region.h)}/2)*2))'`;
    // crop clamps x/y so the box stays inside the frame; overlay is given the same clamp.
    parts.push(
      `[r${i}]crop=w=${w}:h=${h}:x='trunc(iw*${f(region.x)}/2)*2':y='trunc(ih*${f(region.y)}/2)*2',` +
        `boxblur=luma_radius='min(w,h)/4':luma_power=3:chroma_radius='min(cw,ch)/4':chroma_power=3[b${i}]`,
    );
    const out = i === n - 1 ? "[vout]" : `[v${i + 1}]`;
    parts.push(`[v${i}][b${i}]overlay=x='min(trunc(W*${f(region.x)}/2)*2,W-w)':y='min(trunc(H*${f(region.y)}/2)*2,H-h)'${out}`);
  });
  return parts.join(";");
}

/** The first decoded frame of a (public) video as PNG. */
async function firstFrame(videoPath: string, maxBytes: number): Promise<Buffer> {
  const result = await runMediaTool(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-v", "error"],
      ...inputArgs(videoPath),
      ...["-map", "0:v:0", "-an", "-sn", "-dn", "-map_metadata", "-1"],
      ...["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-compression_level", "1", "-pix_fmt", "rgb24", "pipe:1"],
    ],
    { timeoutMs: POSTER_TIMEOUT_MS, maxStdoutBytes: maxBytes },
  );
  if (result.timedOut || result.exitCode !== 0 || result.stdout.length === 0) {
    throw validation("No poster frame could be taken from the video.", result.stderr);
  }
  return result.stdout;
}
