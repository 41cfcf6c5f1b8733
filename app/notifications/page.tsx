import type { Metadata } from "next";
import Link from "next/link";
import { revalidatePath } from "next/cache";
import { runAction } from "@/lib/server/action-result";
import { actorOrRedirect } from "@/lib/server/session";
import { listNotifications, markNotificationsRead } from "@/lib/server/services/comments/notifications";

export const metadata: Metadata = { title: "Notifications" };

const utc = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

async function markAllRead(form: FormData) {
  "use server";
  await runAction((actor) => markNotificationsRead(actor, { ids: form.getAll("id") }));
  revalidatePath("/notifications");
}

export default async function NotificationsPage() {
  const actor = await actorOrRedirect();
  const notifications = await listNotifications(actor);
  const unread = notifications.filter((n) => !n.readAt);
  return (
    <>
      <h1>Notifications</h1>
      <p className="lede">Mentions, assignments, review requests and changes to your API tokens.</p>
      {unread.length ? (
        <form action={markAllRead}>
          {unread.map((n) => <input key={n.id} type="hidden" name="id" value={n.id} />)}
          <button type="submit" className="secondary">Mark all as read</button>
        </form>
      ) : null}
      {notifications.length === 0 ? <p className="panel">Nothing yet.</p> : (
        <ul data-testid="notifications">
          {notifications.map((n) => (
            <li key={n.id} className={n.readAt ? "muted" : ""}>
              {n.href ? <Link href={n.href}>{n.message}</Link> : n.message} · <span className="small">{utc.format(n.createdAt)} UTC</span>
              {!n.readAt ? <span className="badge count">new</span> : null}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
