import { createRequire } from "node:module";

// s3rver, an S3-compatible server in a local folder, for tests, benchmarks and
// `npm run trial:services`. A development dependency without type declarations: this describes
// the little used of it. The app itself never starts one.

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: { address: string; port: number; silent: boolean; directory: string; configureBuckets: Array<{ name: string }> }) => S3rverServer;

export interface LocalS3Server {
  port: number;
  /** http://127.0.0.1:<port>, for GROUNDTRUTH_S3_ENDPOINT. */
  endpoint: string;
  close(): Promise<void>;
}

/** Starts s3rver on loopback (`port` 0: any free one), creating `buckets` if they are missing. */
export async function startS3rver(options: { directory: string; port?: number; buckets?: string[] }): Promise<LocalS3Server> {
  const S3rver = createRequire(import.meta.url)("s3rver") as S3rverClass;
  const server = new S3rver({
    address: "127.0.0.1",
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  return { port, endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}
