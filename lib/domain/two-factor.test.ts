import { describe, expect, it } from "vitest";
import {
  classifySecondFactorCode,
  confirmEnrolmentSchema,
  enrolmentCodeFromBytes,
  enrolmentCodeRequired,
  groupSecretForDisplay,
  normaliseEnrolmentCode,
  normaliseRecoveryCode,
  normaliseTotpCode,
  recoveryCodeFromBytes,
  secondFactorCodeSchema,
  twoFactorRequiredFor,
} from "./two-factor";

describe("normaliseTotpCode", () => {
  it.each([
    ["123456", "123456"],
    ["123 456", "123456"],
    [" 012345 ", "012345"],
    ["1 2 3 4 5 6", "123456"],
    ["12345", null],
    ["1234567", null],
    ["12345a", null],
    ["123-456", null],
    ["", null],
  ])("%j -> %j", (input, expected) => {
    expect(normaliseTotpCode(input)).toBe(expected);
  });
});

describe("normaliseRecoveryCode", () => {
  it.each([
    ["ABCDE-FGH23", "ABCDEFGH23"],
    ["abcde-fgh23", "ABCDEFGH23"],
    ["abcdefgh23", "ABCDEFGH23"],
    [" abcde fgh23 ", "ABCDEFGH23"],
    ["ABCDE-FGH2", null],
    ["ABCDE-FGH234", null],
    ["ABCDE-FGH01", null], // 0 and 1 are not base32
    ["ABCDE-FGH8Z", null],
    ["ABCDE_FGH23", null],
  ])("%j -> %j", (input, expected) => {
    expect(normaliseRecoveryCode(input)).toBe(expected);
  });
});

describe("classifySecondFactorCode", () => {
  it.each([
    ["123 456", { kind: "totp", code: "123456" }],
    ["abcde-fgh23", { kind: "recovery", code: "ABCDEFGH23" }],
    ["12345", null],
    ["not a code", null],
  ])("%j -> %j", (input, expected) => {
    expect(classifySecondFactorCode(input)).toEqual(expected);
  });
});

describe("recoveryCodeFromBytes", () => {
  it.each([
    [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "ABCDE-FGHIJ"],
    [[31, 30, 29, 28, 27, 26, 25, 24, 23, 22], "76543-2ZYXW"],
    // Byte values wrap modulo 32, so 32 and 255 are as likely as any other character.
    [[32, 255, 64, 96, 128, 160, 192, 224, 33, 63], "A7AAA-AAAB7"],
  ])("%j -> %s", (bytes, expected) => {
    expect(recoveryCodeFromBytes(Uint8Array.from(bytes))).toBe(expected);
  });

  it("always gives a code that normalises back to its own characters", () => {
    const bytes = Uint8Array.from({ length: 10 }, (_, i) => (i * 37 + 11) % 256);
    const code = recoveryCodeFromBytes(bytes);
    expect(code).toMatch(/^[A-Z2-7]{5}-[A-Z2-7]{5}$/);
    expect(normaliseRecoveryCode(code)).toBe(code.replace("-", ""));
    expect(classifySecondFactorCode(code)?.kind).toBe("recovery");
  });

  it("refuses too few bytes", () => {
    expect(() => recoveryCodeFromBytes(new Uint8Array(9))).toThrow();
  });
});

describe("twoFactorRequiredFor", () => {
  it.each([
    [{ requireTwoFactor: true }, true],
    [{ requireTwoFactor: true, timeZone: "Asia/Kabul" }, true],
    [{ requireTwoFactor: false }, false],
    [{ requireTwoFactor: "true" }, false],
    [{}, false],
    [null, false],
    [undefined, false],
    [[true], false],
    ["requireTwoFactor", false],
  ])("%j -> %s", (settings, expected) => {
    expect(twoFactorRequiredFor(settings)).toBe(expected);
  });
});

describe("groupSecretForDisplay", () => {
  it.each([
    ["ABCDEFGHIJKLMNOP", "ABCD EFGH IJKL MNOP"],
    ["ABCDEF", "ABCD EF"],
    ["ABCD", "ABCD"],
  ])("%s -> %s", (secret, expected) => {
    expect(groupSecretForDisplay(secret)).toBe(expected);
  });
});

describe("input schemas", () => {
  it.each([
    [{ code: "123 456", currentPassword: "pw" }, { code: "123456", currentPassword: "pw" }],
    [{ code: " 000001", currentPassword: "pw", enrolmentCode: " ABCDE " }, { code: "000001", currentPassword: "pw", enrolmentCode: "ABCDE" }],
  ])("confirmEnrolmentSchema accepts %j", (input, expected) => {
    expect(confirmEnrolmentSchema.parse(input)).toEqual(expected);
  });

  it.each([
    { code: "12345", currentPassword: "pw" },
    { code: "ABCDE-FGH23", currentPassword: "pw" },
    { code: "", currentPassword: "pw" },
    {},
    { code: 123456, currentPassword: "pw" },
    // The current password is part of enrolling: a session alone is not enough.
    { code: "123456" },
    { code: "123456", currentPassword: "" },
  ])("confirmEnrolmentSchema rejects %j", (input) => {
    expect(confirmEnrolmentSchema.safeParse(input).success).toBe(false);
  });

  it.each([
    [{ code: " 123456 ", currentPassword: "pw" }, true],
    [{ code: "abcde-fgh23", currentPassword: "pw" }, true],
    [{ code: "123456" }, false],
    [{ code: "   ", currentPassword: "pw" }, false],
    [{ code: "x".repeat(65), currentPassword: "pw" }, false],
    [{}, false],
  ])("secondFactorCodeSchema %j -> %s", (input, ok) => {
    expect(secondFactorCodeSchema.safeParse(input).success).toBe(ok);
  });
});

describe("enrolment codes", () => {
  it("are 20 base32 characters in groups of five, and compare without case, spaces or hyphens", () => {
    const code = enrolmentCodeFromBytes(Uint8Array.from({ length: 20 }, (_, i) => i * 13));
    expect(code).toMatch(/^[A-Z2-7]{5}(-[A-Z2-7]{5}){3}$/);
    expect(normaliseEnrolmentCode(code.toLowerCase().replace(/-/g, " "))).toBe(code.replace(/-/g, ""));
    expect(() => enrolmentCodeFromBytes(new Uint8Array(19))).toThrow();
  });

  it.each([
    ["ABCDE-FGHIJ-KLMNO-PQRST", "ABCDEFGHIJKLMNOPQRST"],
    ["abcde fghij klmno pqrst", "ABCDEFGHIJKLMNOPQRST"],
    ["ABCDE-FGHIJ-KLMNO-PQRS", null],
    ["ABCDE-FGHIJ-KLMNO-PQRS1", null],
    ["ABCDE-FGH23", null], // a recovery code is not an enrolment code
  ])("%j -> %j", (input, expected) => {
    expect(normaliseEnrolmentCode(input)).toBe(expected);
  });

  it.each([
    [{ totpResetAt: null, projectSettings: [] }, false],
    [{ totpResetAt: null, projectSettings: [{}, { requireTwoFactor: false }] }, false],
    [{ totpResetAt: null, projectSettings: [{}, { requireTwoFactor: true }] }, true],
    [{ totpResetAt: new Date(), projectSettings: [] }, true],
  ])("are required for %j: %s", (facts, expected) => {
    expect(enrolmentCodeRequired(facts)).toBe(expected);
  });
});
