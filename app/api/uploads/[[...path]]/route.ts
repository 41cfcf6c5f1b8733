
// tus resumable uploads (https://tus.io). Each hook authenticates the caller and checks the
// project permission itself (lib/server/uploads/tus-server.ts). Browsers authenticate with the
// session cookie, so state changes must also come from our own pages (lib/server/csrf.ts).
import { crossSiteRefusal } from "@/lib/server/csrf";
import { tusServer } from "@/lib/server/uploads/web-tus-server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const handle = (request: Request) => crossSiteRefusal(request) ?? tusServer().handleWeb(request);

export { handle as GET, handle as HEAD, handle as POST, handle as PATCH, handle as DELETE, handle as OPTIONS };
