import "server-only";
import sharp from "sharp";

/** A clearly synthetic scene (sky, hills, a marker and a caption) rendered locally as PNG. */
export async function renderSyntheticImage(caption: string, hue: number): Promise<Buffer> {
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
  return sharp(Buffer.from(svg)).png().toBuffer();
}
