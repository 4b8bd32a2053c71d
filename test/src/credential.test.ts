import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Credential,
  expiryInstant,
  isCanonicalValidUntil,
  normaliseValidUntil,
  parseCredential,
} from "../../src/credential";
import { detailPaths, expectCode } from "./helpers";

type Loose = Record<string, unknown>;

/** A sample credential as a plain mutable record, for breaking it on purpose. */
function loose(i = 0): Loose {
  return structuredClone(sampleCredential(i)) as unknown as Loose;
}

function child(record: Loose, key: string): Loose {
  return record[key] as Loose;
}

/** The only fields the EU recommendation makes mandatory. */
function minimalCredential(): Credential {
  return {
    id: "urn:uuid:11111111-2222-4333-8444-555555555555",
    title: "Minimal",
    learner: { name: "A" },
    issuerCountry: "BE",
    issuedOn: "2026-01-31",
    learningOutcomes: ["Can do one thing"],
    workload: { hours: 10 },
    assessment: { type: "Oral exam" },
    participation: "online",
    qualityAssurance: "Internal",
  };
}

function expectInvalid(input: unknown, path: string, message?: string): void {
  const error = expectCode(() => parseCredential(input), "INVALID_CREDENTIAL");
  expect(detailPaths(error)).toContain(path);
  if (message !== undefined) {
    expect(error.details.find((d) => d.path === path)?.message).toContain(message);
  }
  expect(error.message).toContain(path);
}

describe("parseCredential", () => {
  it("accepts every sample credential and returns it unchanged (no validUntil to normalise)", () => {
    for (let i = 0; i < 48; i++) {
      const credential = sampleCredential(i);
      expect(parseCredential(credential)).toBe(credential);
    }
  });

  it("accepts a credential with only the mandatory fields", () => {
    expect(parseCredential(minimalCredential())).toEqual(minimalCredential());
  });

  it("accepts a credential with every optional field", () => {
    const full = sampleCredential(5, {
      description: "All the options",
      nqfLevel: "NL-NLQF 6",
      prerequisites: ["Basic programming"],
      stackability: { countsTowards: "MSc Data Science", buildsOn: [`0x${"ab".repeat(32)}`] },
      validUntil: "2030-12-31T23:00:00.000Z",
      evidenceUrl: "https://evidence.example.org/123",
    });
    full.learner.dateOfBirth = "2000-02-29";
    expect(parseCredential(full)).toEqual(full);
  });

  // Issue 11: the awarding body is the issuer the registry records, never a claim of the credential.
  it("refuses an awardingBody field: no credential names its own awarding body", () => {
    const input = { ...loose(), awardingBody: { name: "Harvard University", country: "US" } };
    expectInvalid(input, "/awardingBody", "is not a known field");
  });

  it.each([
    "id",
    "title",
    "learner",
    "issuerCountry",
    "issuedOn",
    "learningOutcomes",
    "workload",
    "assessment",
    "participation",
    "qualityAssurance",
  ])("rejects a credential without %s, naming /%s", (field) => {
    const input = loose();
    Reflect.deleteProperty(input, field);
    expectInvalid(input, `/${field}`, "must have required property");
  });

  it.each([
    ["learner", "name"],
    ["assessment", "type"],
  ])("rejects a credential without %s.%s, naming /%s/%s", (parent, field) => {
    const input = loose();
    Reflect.deleteProperty(child(input, parent), field);
    expectInvalid(input, `/${parent}/${field}`, "must have required property");
  });

  it("rejects an unknown top-level field as not known, naming /grades", () => {
    expectInvalid({ ...loose(), grades: "A" }, "/grades", "is not a known field");
  });

  it("rejects an unknown nested field, naming /learner/phone", () => {
    const input = loose();
    child(input, "learner").phone = "+32 0";
    expectInvalid(input, "/learner/phone", "is not a known field");
  });

  it.each(["nl", "NLD", "N", ""])("rejects the issuer country %j, naming /issuerCountry", (country) => {
    expectInvalid({ ...loose(), issuerCountry: country }, "/issuerCountry", "must match pattern");
  });

  it.each([
    [9, "must be <= 8"],
    [0, "must be >= 1"],
    [2.5, "must be integer"],
  ])("rejects a credential whose EQF level is %s, naming /eqfLevel", (level, message) => {
    expectInvalid({ ...loose(), eqfLevel: level }, "/eqfLevel", message);
  });

  it.each(["not-an-email", "a@", "@example.org", "a b@example.org"])(
    "rejects the email %j, naming /learner/email",
    (email) => {
      const input = loose();
      child(input, "learner").email = email;
      expectInvalid(input, "/learner/email", 'must match format "email"');
    },
  );

  it.each(["2026-13-01", "2026-02-30", "30-06-2026", "2026-6-30", "2026-06-30T00:00:00Z", ""])(
    "rejects the issue date %j, naming /issuedOn",
    (date) => {
      expectInvalid({ ...loose(), issuedOn: date }, "/issuedOn", "must be a date in the form YYYY-MM-DD (2026-06-30)");
    },
  );

  it("rejects an invalid date of birth, naming /learner/dateOfBirth", () => {
    const input = loose();
    child(input, "learner").dateOfBirth = "2001-02-29";
    expectInvalid(input, "/learner/dateOfBirth");
  });

  it("rejects empty learning outcomes, naming /learningOutcomes", () => {
    expectInvalid({ ...loose(), learningOutcomes: [] }, "/learningOutcomes", "must NOT have fewer than 1 items");
  });

  it("rejects an empty learning outcome statement, naming /learningOutcomes/1", () => {
    expectInvalid({ ...loose(), learningOutcomes: ["ok", ""] }, "/learningOutcomes/1");
  });

  it("rejects a workload with neither ECTS nor hours, naming /workload", () => {
    expectInvalid({ ...loose(), workload: {} }, "/workload", "must NOT have fewer than 1 properties");
  });

  it("rejects negative ECTS, naming /workload/ects", () => {
    expectInvalid({ ...loose(), workload: { ects: -1 } }, "/workload/ects", "must be >= 0");
  });

  it('rejects participation "remote", naming /participation', () => {
    expectInvalid(
      { ...loose(), participation: "remote" },
      "/participation",
      "must be equal to one of the allowed values",
    );
  });

  it("rejects an unknown identity check, naming /assessment/identityCheck", () => {
    const input = loose();
    child(input, "assessment").identityCheck = "webcam";
    expectInvalid(input, "/assessment/identityCheck");
  });

  it("rejects a buildsOn leaf in uppercase hex, naming /stackability/buildsOn/0", () => {
    expectInvalid({ ...loose(), stackability: { buildsOn: [`0x${"AB".repeat(32)}`] } }, "/stackability/buildsOn/0");
  });

  it("rejects a skill that is not a URI, naming /skills/0", () => {
    expectInvalid({ ...loose(), skills: ["not a uri"] }, "/skills/0", 'must match format "uri"');
  });

  it("rejects a date-time without a time zone as validUntil, naming /validUntil", () => {
    expectInvalid({ ...loose(), validUntil: "2030-06-30T12:00:00" }, "/validUntil");
  });

  it("keeps a validUntil date as it is and writes a UTC date-time with milliseconds", () => {
    expect(parseCredential(sampleCredential(0, { validUntil: "2030-06-30" })).validUntil).toBe("2030-06-30");
    expect(parseCredential(sampleCredential(0, { validUntil: "2030-06-30T12:00:00Z" })).validUntil).toBe(
      "2030-06-30T12:00:00.000Z",
    );
  });

  // Issue 11: the service accepted forms that every verifier read as NaN, so a genuine credential
  // was "expired" forever. Now a date-time is normalised to UTC before it is hashed…
  it.each([
    ["2031-06-30T23:59:59+02:00", "2031-06-30T21:59:59.000Z"],
    ["2031-06-30t23:59:59z", "2031-06-30T23:59:59.000Z"],
    ["2031-06-30T00:30:00.250-01:30", "2031-06-30T02:00:00.250Z"],
    ["2031-06-30T23:59:59.123456789Z", "2031-06-30T23:59:59.123Z"],
    ["2031-12-31T23:30:00-01:00", "2032-01-01T00:30:00.000Z"],
    ["2028-02-29T12:00:00Z", "2028-02-29T12:00:00.000Z"],
  ])("normalises validUntil %s to %s", (input, normalised) => {
    const credential = sampleCredential(0, { validUntil: input });
    const parsed = parseCredential(credential);
    expect(parsed.validUntil).toBe(normalised);
    expect(parsed).not.toBe(credential);
    expect(credential.validUntil).toBe(input);
    expect(isCanonicalValidUntil(normalised)).toBe(true);
  });

  // …and the forms it cannot read back are refused with a message that shows the forms it takes.
  it.each([
    "2031-06-30T23:59:59+01",
    "2031-06-30T23:59:59+0100",
    "2031-06-30T23:59:60Z",
    "2031-06-30T23:59:60z",
    "2031-06-30T23:59:60+01:00",
    "2031-06-30T24:00:00Z",
    "2031-06-30T23:60:00Z",
    "2031-06-30T12:00:00+24:00",
    "2031-02-30",
    "2031-02-29T12:00:00Z",
    "2031-13-01",
    "2031-06-30 23:59:59Z",
    "0999-01-01",
    "9999-12-31T23:59:59-01:00",
    "+002031-06-30",
    "30/06/2031",
    "",
  ])("refuses validUntil %j at issuance, naming /validUntil with the accepted forms", (validUntil) => {
    const error = expectCode(() => parseCredential(sampleCredential(0, { validUntil })), "INVALID_CREDENTIAL");
    expect(detailPaths(error)).toEqual(["/validUntil"]);
    expect(error.details[0]!.message).toBe(
      "must be a date (2031-06-30) or a date-time with a time zone (2031-06-30T23:59:59Z, 2031-06-30T23:59:59+02:00)",
    );
    expect(error.message).toContain("/validUntil");
    expect(normaliseValidUntil(validUntil)).toBeNull();
  });

  // Issue 11: RFC 8785 refuses lone surrogates, so no strict reimplementation could reproduce the leaf.
  it.each([
    ["title", { title: "Data\ud800 Science" }, "/title"],
    ["a learner's name", { learner: { name: "\udc00Ana" } }, "/learner/name"],
    ["a learning outcome", { learningOutcomes: ["ok", "bad \ud83d"] }, "/learningOutcomes/1"],
  ])("refuses a lone surrogate in %s, naming where it is", (_, change, path) => {
    const input = { ...loose(), ...change };
    const error = expectCode(() => parseCredential(input), "INVALID_CREDENTIAL");
    expect(detailPaths(error)).toEqual([path]);
    expect(error.details[0]!.message).toBe("contains a lone surrogate (not Unicode text)");
  });

  it("accepts text with surrogate pairs (emoji) and any other Unicode", () => {
    const credential = sampleCredential(0, { title: "Données 😀 数据" });
    expect(parseCredential(credential)).toBe(credential);
  });

  it("rejects a title longer than 512 characters, naming /title", () => {
    expectInvalid({ ...loose(), title: "x".repeat(513) }, "/title", "must NOT have more than 512 characters");
  });

  it("reports every bad field at once", () => {
    const input = loose();
    delete child(input, "learner").name;
    input.eqfLevel = 9;
    input.participation = "remote";
    const error = expectCode(() => parseCredential(input), "INVALID_CREDENTIAL");
    expect(detailPaths(error)).toEqual(expect.arrayContaining(["/learner/name", "/eqfLevel", "/participation"]));
  });

  it.each([null, "text", 42, []])("rejects the non-object %j, naming the root /", (input) => {
    expectInvalid(input, "/", "must be object");
  });
});

describe("expiryInstant", () => {
  // A date-only validUntil means: valid through the end of that day, UTC.
  it("gives the last millisecond of the day, UTC, for a plain date", () => {
    expect(expiryInstant("2030-06-30")).toBe(Date.UTC(2030, 5, 30, 23, 59, 59, 999));
    expect(expiryInstant("2030-06-30") + 1).toBe(Date.UTC(2030, 6, 1));
  });

  it("gives the same instant whatever the machine's time zone", () => {
    const original = process.env.TZ;
    try {
      for (const zone of ["America/New_York", "Asia/Kolkata", "Pacific/Kiritimati"]) {
        process.env.TZ = zone; // Node re-reads TZ when it is assigned
        expect(new Date(2030, 0, 1).getTimezoneOffset()).not.toBe(0);
        expect(expiryInstant("2030-06-30")).toBe(Date.UTC(2030, 5, 30, 23, 59, 59, 999));
        expect(expiryInstant("2030-06-30T12:00:00.000Z")).toBe(Date.UTC(2030, 5, 30, 12));
      }
    } finally {
      if (original === undefined) delete process.env.TZ;
      else process.env.TZ = original;
    }
  });

  it("handles the end of a leap day", () => {
    expect(expiryInstant("2028-02-29")).toBe(Date.UTC(2028, 1, 29, 23, 59, 59, 999));
  });

  it("gives the instant itself for a canonical UTC date-time", () => {
    expect(expiryInstant("2030-06-30T12:34:56.789Z")).toBe(Date.UTC(2030, 5, 30, 12, 34, 56, 789));
  });

  it("gives a finite instant for every validUntil parseCredential produces", () => {
    for (const input of ["2031-06-30", "2031-06-30T23:59:59+02:00", "2031-06-30T23:59:59.5Z", "2032-02-29"]) {
      const { validUntil } = parseCredential(sampleCredential(0, { validUntil: input }));
      expect(Number.isFinite(expiryInstant(validUntil!)), input).toBe(true);
    }
  });

  // What a bundle may not carry: parseBundle refuses these (test/src/bundle.test.ts), and were one
  // to reach the expiry check it could never pass.
  it.each([
    "2030-06-30T12:00:00Z",
    "2030-06-30T12:00:00+02:00",
    "2030-06-30T23:59:60.000Z",
    "2030-06-30T24:00:00.000Z",
    "2031-02-30",
    "2031-13-01",
    "2030-06-30T12:00:00.000z",
  ])("gives NaN for the non-canonical %s", (validUntil) => {
    expect(isCanonicalValidUntil(validUntil)).toBe(false);
    expect(expiryInstant(validUntil)).toBeNaN();
  });
});
