import { compact, euElements, type Json, number, objectAt, strings, text } from "./fields";
import type { DocumentIssuer } from "./ob3";

/** The issuer of a plain VC 2.0 document, in credroot terms (OB 3.0's Profile is not in its vocabulary). */
export function vcIssuer(issuer: DocumentIssuer, credential: Json): Json {
  return compact({
    id: issuer.id,
    name: issuer.name,
    homepage: issuer.uri === "" ? undefined : issuer.uri,
    country: text(credential, "issuerCountry"),
    registryIssuer: issuer.registryIssuer,
  });
}

/**
 * The plain VC subject: the learner's disclosed fields and the micro-credential as `achievement`,
 * every element under a term of VC 2.0 or of the credroot context.
 */
export function vcSubject(credential: Json): Json {
  const learner = objectAt(credential, "learner");
  const workload = objectAt(credential, "workload");
  return compact({
    name: text(learner, "name"),
    identifier: text(learner, "identifier"),
    email: text(learner, "email"),
    dateOfBirth: text(learner, "dateOfBirth"),
    achievement: compact({
      type: ["MicroCredential"],
      name: text(credential, "title"),
      description: text(credential, "description"),
      learningOutcomes: strings(credential, "learningOutcomes"),
      ectsCredits: number(workload, "ects"),
      eqfLevel: number(credential, "eqfLevel"),
      grade: text(objectAt(credential, "assessment"), "grade"),
      skills: strings(credential, "skills"),
      ...euElements(credential),
    }),
  });
}
