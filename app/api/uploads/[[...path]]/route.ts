// tus resumable uploads (https://tus.io). Each hook authenticates the caller and checks the
// project permission itself (lib/server/uploads/tus-server.ts).
import { tusServer } from "@/lib/server/uploads/web-tus-server";

export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const handle = (request: Request) => tusServer().handleWeb(request);

export { handle as GET, handle as HEAD, handle as POST, handle as PATCH, handle as DELETE, handle as OPTIONS };
