import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ALWAYS_DISCLOSED, disclosedCredential, discloseBundle, parseBundle } from "../../src/bundle";
import { saltOf, valueHash } from "../../src/commit";
import { fromBase64url, joinBase64url, toBase64url } from "../../src/encoding";
import { expectCode } from "./helpers";
import {
  batch,
  bundle,
  committed,
  credential,
  hideable,
  type Loose,
  part,
  pointers,
  rebuilt,
  secret,
} from "./bundle-fixture";

describe("discloseBundle", () => {
  it("hides a field named with dots, keeping its value hash, and carries the shown fields' salts instead of the secret", () => {
    const shared = discloseBundle(bundle, ["learner.email"]);
    expect(shared).not.toHaveProperty("secret");
    const salt = saltOf(secret, "/learner/email");
    expect(shared.hidden).toEqual({ "/learner/email": toBase64url(valueHash(salt, "chiara@example.org")) });
    const shown = pointers.filter((p) => p !== "/learner/email").sort();
    expect(shared.salts).toBe(joinBase64url(shown.map((p) => saltOf(secret, p))));
    expect(shared.credential.learner).toEqual({
      name: "Chiara Rossi",
      identifier: "S100002",
      dateOfBirth: "2002-03-04",
    });
    expect(shared.anchor).toEqual(bundle.anchor);
    expect(shared.proof).toBe(bundle.proof);
  });

  it("hides a field named by its JSON Pointer the same way", () => {
    expect(discloseBundle(bundle, ["/learner/email"])).toEqual(discloseBundle(bundle, ["learner.email"]));
  });

  it("hides every field below a parent such as learner, and drops the emptied parent", () => {
    const shared = discloseBundle(bundle, ["learner"]);
    expect(Object.keys(shared.hidden!)).toEqual([
      "/learner/dateOfBirth",
      "/learner/email",
      "/learner/identifier",
      "/learner/name",
    ]);
    expect(shared.credential).not.toHaveProperty("learner");
  });

  it("hides /workload/ects and /workload/hours for workload, but matches nothing for the mere prefix learn", () => {
    expect(Object.keys(discloseBundle(bundle, ["workload"]).hidden!)).toEqual(["/workload/ects", "/workload/hours"]);
    const error = expectCode(() => discloseBundle(bundle, ["learn"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("no field /learn");
  });

  it("keeps the digest, leaf and root for any subset of hideable fields, and parses back", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), fc.boolean(), (hide, dotted) => {
        const names = dotted ? hide.map((p) => p.slice(1).split("/").join(".")) : hide;
        const shared = discloseBundle(bundle, names);
        expect(rebuilt(shared)).toEqual({ digest: committed.digest, leaf: committed.leaf, root: batch.root });
        expect(Object.keys(shared.hidden ?? {})).toEqual([...hide].sort());
        expect(parseBundle(JSON.stringify(shared))).toEqual(shared);
      }),
      { numRuns: 100 },
    );
  });

  it("hides more from a disclosed copy as it would from the full bundle, and is idempotent", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), fc.subarray(hideable), (first, second) => {
        const once = discloseBundle(bundle, first);
        expect(discloseBundle(once, first)).toEqual(once);
        expect(discloseBundle(once, second)).toEqual(discloseBundle(bundle, [...first, ...second]));
      }),
      { numRuns: 50 },
    );
  });

  it("with nothing hidden, gives a copy with every field shown and salted", () => {
    const shared = discloseBundle(bundle, []);
    expect(shared.hidden).toEqual({});
    expect(shared.credential).toEqual(bundle.credential);
    expect(fromBase64url(shared.salts!)).toHaveLength(16 * pointers.length);
    expect(rebuilt(shared).leaf).toBe(committed.leaf);
  });

  it("rejects an unknown field with INVALID_ARGUMENT, naming it", () => {
    const error = expectCode(() => discloseBundle(bundle, ["learner.phone"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("/learner/phone");
    // v1 carried an awarding body; v2 credentials have none to hide.
    expectCode(() => discloseBundle(bundle, ["awardingBody"]), "INVALID_ARGUMENT");
  });

  it.each([...ALWAYS_DISCLOSED, "id", "title", "validUntil"])(
    "refuses to hide %s, which must stay disclosed, with INVALID_ARGUMENT",
    (name) => {
      const error = expectCode(() => discloseBundle(bundle, ["learner.email", name]), "INVALID_ARGUMENT");
      expect(error.message).toContain("cannot be hidden");
    },
  );

  it("does not mutate the bundle it is given, even when it fails half-way", () => {
    const before = structuredClone(bundle);
    discloseBundle(bundle, ["learner", "assessment.grade", "skills"]);
    expectCode(() => discloseBundle(bundle, ["learner.email", "title"]), "INVALID_ARGUMENT");
    expect(bundle).toEqual(before);
  });
});

describe("disclosedCredential", () => {
  it("gives the full credential of a bundle with nothing hidden", () => {
    expect(disclosedCredential(bundle)).toEqual({ credential, hidden: [] });
  });

  it("leaves out hidden fields and lists their pointers sorted", () => {
    const shared = discloseBundle(bundle, ["skills", "learner.email", "assessment.grade", "/learner/dateOfBirth"]);
    const { credential: shown, hidden } = disclosedCredential(shared);
    expect(hidden).toEqual(["/assessment/grade", "/learner/dateOfBirth", "/learner/email", "/skills"]);
    const expected = structuredClone(credential) as unknown as Loose;
    delete expected.skills;
    delete part(expected, "learner").email;
    delete part(expected, "learner").dateOfBirth;
    delete part(expected, "assessment").grade;
    expect(shown).toEqual(expected);
  });

  // Regression: a "/__proto__/x" pointer once reached Object.prototype through unflatten.
  it("does not let a hostile bundle write to Object.prototype", () => {
    const probe = "credrootBundlePolluted";
    const hostile = JSON.stringify(bundle).replace('"credential":{', `"credential":{"__proto__":{"${probe}":true},`);
    try {
      const parsed = parseBundle(hostile);
      disclosedCredential(parsed);
      discloseBundle(parsed, ["learner.email"]);
      expect(Object.prototype).not.toHaveProperty(probe);
    } finally {
      Reflect.deleteProperty(Object.prototype, probe);
    }
  });
});
