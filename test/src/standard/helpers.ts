import { sampleCredential } from "../../../scripts/lib/samples";
import { type Bundle, bundleFor, type Credential, discloseBundle, prepareBatch } from "../../../src";
import type { ExportIssuer } from "../../../src/export";
import { IssuerKey } from "../../../src/standard";
import { TEST_ANCHOR, TEST_CONTEXT } from "../helpers";

/** A credential with every field the schema has, mandatory and optional. */
export const RICH: Credential = sampleCredential(0, {
  description: "Two weeks on GDPR",
  learner: { name: "Ana Novak", identifier: "S100000", email: "learner0@example.org", dateOfBirth: "2001-02-03" },
  nqfLevel: "NL-NLQF 6",
  prerequisites: ["Bachelor in computer science", "Basic law"],
  stackability: { countsTowards: "MSc Data Protection", buildsOn: [`0x${"ab".repeat(32)}`] },
  validUntil: "2030-06-30",
  evidenceUrl: "https://evidence.example/1",
});

const batch = prepareBatch([RICH, sampleCredential(1)], TEST_CONTEXT);

/** The full bundle of {@link RICH}. */
export const richBundle: Bundle = bundleFor(batch, 0, TEST_ANCHOR.block);

/** {@link richBundle} with the learner's email, the grade and the skills hidden. */
export const sharedBundle: Bundle = discloseBundle(richBundle, ["learner.email", "assessment.grade", "skills"]);

/** The registry's record of issuer 1. */
export const ISSUER: ExportIssuer = { id: 1, name: "Test University", uri: "https://uni.test" };

/** A fixed signing key (seed 07…07), so failures reproduce. */
export const SEED_HEX = "07".repeat(32);
export const issuerKey = (): Promise<IssuerKey> => IssuerKey.fromSeed(SEED_HEX);

/** Inside the validity of {@link RICH} (2026-06-30 … 2030-06-30). */
export const NOW = new Date("2027-01-01T00:00:00Z");
