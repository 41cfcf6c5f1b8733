// Prisma CLI configuration: the JS (WebAssembly) schema engine over @prisma/adapter-pg,
// so migrations run with no native engine download (see ../shared/notes/toolchain.md).
import { defineConfig } from "prisma/config";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

// The JS schema engine reads catalog columns of type `name` (OID 19) and `"char"` (OID 18),
// which adapter-pg cannot decode; presenting them as text (OID 25) is lossless here.
class CatalogFriendlyPool extends pg.Pool {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async query(...args: any[]): Promise<any> {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const result: any = await (super.query as any)(...args);
    for (const field of result?.fields ?? []) {
      if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
    return result;
  }
}

// adapter-pg's executeScript splits a migration on every ";" (even inside comments and function
// bodies) and runs the pieces one by one, so a failure leaves a half-applied migration. Sent
// whole as one simple-protocol query, PostgreSQL runs the script in a single implicit
// transaction: a migration applies completely or not at all.
class AtomicMigrationsPrismaPg extends PrismaPg {
  constructor(private readonly connectionString: string) {
    super(new CatalogFriendlyPool({ connectionString }));
  }

  async connect() {
    const adapter = await super.connect();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const internals = adapter as any;
    internals.executeScript = async (script: string) => {
      try {
        await internals.client.query(script);
      } catch (error) {
        internals.onError(error);
      }
    };
    return adapter;
  }
}

// The schema's `env("DATABASE_URL")` must resolve even for commands that never connect
// (generate, validate, diff from files); the adapter below still insists on a real value.
const configuredDatabaseUrl = process.env.DATABASE_URL;
process.env.DATABASE_URL ??= "postgresql://unset.invalid/unset";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  async adapter() {
    const connectionString = configuredDatabaseUrl;
    if (!connectionString) throw new Error("DATABASE_URL is not set (npm start sets it for the embedded database)");
    return new AtomicMigrationsPrismaPg(connectionString);
  },
});
