/**
 * The JSON-LD context of credroot's own terms: what an exported credential says beyond the W3C VC 2.0
 * and Open Badges 3.0 vocabularies (the EU micro-credential elements those lack, the embedded proof
 * bundle). Shipped with the library and preloaded by its document loader: nothing is fetched.
 *
 * It comes after the VC 2.0 and OB 3.0 contexts, both `@protected`: it defines no term either
 * defines at its top level (`name`, `url`, `Evidence`, …), so it can follow them in either format.
 */

/** The URL credroot documents name the context by (never fetched: the loader has it). */
export const CREDROOT_CONTEXT_URL = "https://credroot.dev/contexts/credroot-v1.jsonld";

/** Where credroot's terms expand to. */
export const CREDROOT_VOCAB = "https://credroot.dev/vocab#";

const term = (name: string) => `${CREDROOT_VOCAB}${name}`;
const list = (name: string) => ({ "@id": term(name), "@container": "@list" });
const json = (name: string) => ({ "@id": term(name), "@type": "@json" });

/** The context document itself (JSON-LD 1.1). */
export const CREDROOT_CONTEXT = {
  "@context": {
    "@version": 1.1,
    // The evidence entry that carries the proof bundle, kept as a JSON literal so that no byte changes.
    CredrootBundle: term("CredrootBundle"),
    credrootBundle: json("bundle"),
    hiddenFields: json("hiddenFields"),
    // An export written without the issuer's key says so in the document itself.
    credrootUnsigned: term("unsigned"),
    // EU Council Recommendation on micro-credentials (2022): mandatory and optional elements.
    typeOfAssessment: term("typeOfAssessment"),
    formOfParticipation: term("formOfParticipation"),
    qualityAssurance: term("qualityAssurance"),
    workloadHours: term("workloadHours"),
    ectsCredits: term("ectsCredits"),
    eqfLevel: term("eqfLevel"),
    nqfLevel: term("nqfLevel"),
    identityCheck: term("identityCheck"),
    prerequisites: list("prerequisites"),
    learningOutcomes: list("learningOutcomes"),
    countsTowards: term("countsTowards"),
    buildsOn: list("buildsOn"),
    grade: term("grade"),
    skills: { "@id": term("skills"), "@type": "@id", "@container": "@set" },
    // The plain VC's learner, issuer and achievement (OB 3.0 has its own terms for these).
    achievement: term("achievement"),
    MicroCredential: term("MicroCredential"),
    LearningEvidence: term("LearningEvidence"),
    identifier: term("learnerIdentifier"),
    email: "https://schema.org/email",
    dateOfBirth: { "@id": "https://schema.org/birthDate", "@type": "http://www.w3.org/2001/XMLSchema#date" },
    homepage: { "@id": "https://schema.org/url", "@type": "@id" },
    country: term("country"),
    // The issuer as the registry records it (a `urn:credroot:issuer:…`), beside the DID that signs.
    registryIssuer: { "@id": term("registryIssuer"), "@type": "@id" },
  },
} as const;
