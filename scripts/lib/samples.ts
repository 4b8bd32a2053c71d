import type { Credential } from "../../src";

const FIRST = ["Ana", "Björn", "Chiara", "Dmitri", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jan", "Katalin", "Luca"];
const LAST = ["Novak", "Lindqvist", "Rossi", "Ivanov", "Müller", "Haddad", "Jensen", "Dubois", "Silva", "de Vries"];
const COURSES = [
  { title: "Applied Data Protection (GDPR) for Engineers", ects: 3, eqf: 6, skill: "S4.8.1" },
  { title: "Introduction to Solidity Smart Contracts", ects: 4, eqf: 5, skill: "S1.13.4" },
  { title: "Circular Economy in Manufacturing", ects: 2, eqf: 6, skill: "S6.4.0" },
  { title: "Clinical Data Management", ects: 5, eqf: 7, skill: "S2.2.1" },
];

/**
 * A realistic, valid micro-credential, deterministic in `i` (for demos, tests and benchmarks).
 * @example sampleCredential(0).title === "Applied Data Protection (GDPR) for Engineers"
 */
export function sampleCredential(i: number, overrides: Partial<Credential> = {}): Credential {
  const course = COURSES[i % COURSES.length]!;
  const name = `${FIRST[i % FIRST.length]!} ${LAST[Math.floor(i / FIRST.length) % LAST.length]!}`;
  return {
    id: `urn:uuid:00000000-0000-4000-8000-${i.toString(16).padStart(12, "0")}`,
    title: course.title,
    learner: { name, identifier: `S${(100000 + i).toString()}`, email: `learner${i}@example.org` },
    issuerCountry: "NL",
    issuedOn: "2026-06-30",
    learningOutcomes: [
      `Explain the core concepts of ${course.title.toLowerCase()}`,
      "Apply them to a realistic case and justify the choices made",
    ],
    workload: { ects: course.ects, hours: course.ects * 28 },
    eqfLevel: course.eqf,
    assessment: {
      type: "Written exam and graded project",
      grade: ["A", "B", "C"][i % 3]!,
      identityCheck: "onsite-supervised",
    },
    participation: (["online", "onsite", "blended"] as const)[i % 3]!,
    qualityAssurance: "Internal QA of the university, accredited by NVAO",
    skills: [`http://data.europa.eu/esco/skill/${course.skill}`],
    ...overrides,
  };
}
