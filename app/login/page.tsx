import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { currentActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage() {
  if (await currentActor()) redirect("/");
  return (
    <div className="login panel">
      <h1>Sign in</h1>
      <p className="lede">Groundtruth holds unpublished evidence. Sign in with the account your team gave you.</p>
      <LoginForm />
    </div>
  );
}
