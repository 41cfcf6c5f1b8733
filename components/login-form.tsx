"use client";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { SECOND_FACTOR_INVALID_MESSAGE, SECOND_FACTOR_REQUIRED_MESSAGE } from "@/lib/domain/two-factor";

export function LoginForm() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  // Shown once the server says this account needs its second factor; email and password stay filled in.
  const [needsCode, setNeedsCode] = useState(false);
  // Recovery codes contain letters, which a numeric keypad cannot type.
  const [recoveryKeyboard, setRecoveryKeyboard] = useState(false);

  // Arriving here by client-side navigation (e.g. a session that just ended) keeps the already
  // rendered header; refreshing re-renders it from the server without the signed-out user's name.
  useEffect(() => {
    router.refresh();
  }, [router]);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      code: String(form.get("code") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (result?.error === SECOND_FACTOR_REQUIRED_MESSAGE) {
      setNeedsCode(true);
      return;
    }
    if (result?.error === SECOND_FACTOR_INVALID_MESSAGE) setNeedsCode(true);
    if (!result || result.error) {
      setError(result?.error && result.error !== "CredentialsSignin" ? result.error : "Email or password is incorrect.");
      return;
    }
    router.replace("/");
    router.refresh();
  }

  return (
    <form className="stack" onSubmit={onSubmit} noValidate>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {needsCode ? (
        <>
          <p className="notice" role="status" data-testid="login-code-prompt">{SECOND_FACTOR_REQUIRED_MESSAGE}</p>
          <label>
            Authentication code
            <input
              name="code"
              type="text"
              inputMode={recoveryKeyboard ? "text" : "numeric"}
              autoComplete="one-time-code"
              maxLength={64}
              spellCheck={false}
              required
              autoFocus
              data-testid="login-code"
            />
          </label>
          {recoveryKeyboard ? null : (
            <button type="button" className="secondary" onClick={() => setRecoveryKeyboard(true)}>
              Use a recovery code
            </button>
          )}
        </>
      ) : null}
      {error ? (
        <p className="error" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <button type="submit" disabled={pending}>
        {pending ? "Signing in..." : "Sign in"}
      </button>
    </form>
  );
}
