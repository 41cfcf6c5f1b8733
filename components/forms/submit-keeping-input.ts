"use client";
import { startTransition, type FormEvent } from "react";

/**
 * An onSubmit handler that sends the form's data to a server action without React's automatic
 * form reset: when the server refuses a submission, what the person typed is still there to fix.
 * (Passing the action as the form's `action` prop resets uncontrolled fields after every
 * submission, success or not.)
 */
export function submitKeepingInput(action: (data: FormData) => void) {
  return (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const data = new FormData(event.currentTarget, submitter ?? undefined);
    startTransition(() => action(data));
  };
}
