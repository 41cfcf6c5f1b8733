// Errors services raise on purpose. Anything else reaching a handler is a bug: it is logged
// and the client sees a generic message (see lib/server/http.ts), never internals.
export type DomainErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "VALIDATION"
  | "CONFLICT"
  | "THROTTLED"
  /** The request (or the project's storage) is over a size limit: HTTP 413. */
  | "TOO_LARGE"
  /** The password was right; the account also needs its second factor. */
  | "SECOND_FACTOR_REQUIRED";

const STATUS: Record<DomainErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  VALIDATION: 400,
  CONFLICT: 409,
  THROTTLED: 429,
  TOO_LARGE: 413,
  SECOND_FACTOR_REQUIRED: 401,
};

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly fieldErrors?: Record<string, string[]>;
  constructor(code: DomainErrorCode, message: string, fieldErrors?: Record<string, string[]>) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.fieldErrors = fieldErrors;
  }
  get status(): number {
    return STATUS[this.code];
  }
}

export const forbidden = (message = "You do not have permission to do that.") => new DomainError("FORBIDDEN", message);
export const notFound = (what = "That record") => new DomainError("NOT_FOUND", `${what} was not found.`);
export const conflict = (message: string) => new DomainError("CONFLICT", message);
