"use client";
import { useActionState } from "react";
import { retryJobAction } from "@/app/projects/[slug]/actions";

export function RetryJobButton({ jobId, path }: { jobId: string; path: string }) {
  const [state, action, pending] = useActionState(retryJobAction, null);
  return (
    <form action={action}>
      <input type="hidden" name="jobId" value={jobId} />
      <input type="hidden" name="path" value={path} />
      <button type="submit" className="secondary" disabled={pending}>Retry</button>
      {state && !state.ok ? <span className="error small">{state.error}</span> : null}
    </form>
  );
}
