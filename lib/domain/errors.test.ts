import { describe, it, expect } from "vitest";
import { DomainError, conflict, forbidden, notFound, type DomainErrorCode } from "./errors";

describe("DomainError", () => {
  it.each<[DomainErrorCode, number]>([
    ["UNAUTHENTICATED", 401],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["VALIDATION", 400],
    ["CONFLICT", 409],
    ["THROTTLED", 429],
    ["TOO_LARGE", 413],
  ])("%s -> HTTP %i", (code, status) => {
    const error = new DomainError(code, "message");
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
  });

  it("is a real Error with name, message and optional field errors", () => {
    const fieldErrors = { email: ["Enter a valid email address"] };
    const error = new DomainError("VALIDATION", "Check the form.", fieldErrors);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.name).toBe("DomainError");
    expect(error.message).toBe("Check the form.");
    expect(error.fieldErrors).toEqual(fieldErrors);
    expect(typeof error.stack).toBe("string");
  });

  it("fieldErrors is undefined when not given", () => {
    expect(new DomainError("CONFLICT", "x").fieldErrors).toBeUndefined();
  });

  it("can be thrown and caught by type", () => {
    const thrower = () => {
      throw new DomainError("THROTTLED", "slow down");
    };
    expect(thrower).toThrow(DomainError);
    expect(thrower).toThrow("slow down");
  });
});

describe("error helpers", () => {
  it.each<[string, () => DomainError, DomainErrorCode, number, string]>([
    ["forbidden()", () => forbidden(), "FORBIDDEN", 403, "You do not have permission to do that."],
    ["forbidden(msg)", () => forbidden("Editors only."), "FORBIDDEN", 403, "Editors only."],
    ["notFound()", () => notFound(), "NOT_FOUND", 404, "That record was not found."],
    ["notFound(what)", () => notFound("That project"), "NOT_FOUND", 404, "That project was not found."],
    ["conflict(msg)", () => conflict("That slug is taken."), "CONFLICT", 409, "That slug is taken."],
  ])("%s", (_label, make, code, status, message) => {
    const error = make();
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.message).toBe(message);
    expect(error.fieldErrors).toBeUndefined();
  });

  it("helpers return a fresh error each call", () => {
    expect(forbidden()).not.toBe(forbidden());
  });
});
