import type { Bundle } from "../bundle";
import { flatten, type JsonValue } from "../pointer";

/** One line of the certificate's table: a label and its value, one paragraph (or bullet) per entry. */
export interface CertificateRow {
  label: string;
  paragraphs: string[];
  /** Show each paragraph as a bullet (learning outcomes, skills…). */
  bullets?: boolean;
}

/** What a certificate says, in words, before it is laid out. */
export interface CertificateText {
  title: string;
  /** The learner's name, or null when the holder hid it. */
  learner: string | null;
  /** The awarding body: the issuer's name as the registry records it. */
  awardingBody: string;
  rows: CertificateRow[];
  /** What the holder hid, by label. */
  hidden: string[];
}

/** Labels of the fields a credential may have, in the order a reader expects them. */
const LABELS: Record<string, string> = {
  "/learner/name": "Learner",
  "/learner/identifier": "Learner's id",
  "/learner/email": "Learner's email",
  "/learner/dateOfBirth": "Learner's date of birth",
  "/issuerCountry": "Country of the issuer",
  "/issuedOn": "Date of issue",
  "/validUntil": "Valid until",
  "/eqfLevel": "EQF level",
  "/nqfLevel": "National level",
  "/workload/ects": "Workload (ECTS)",
  "/workload/hours": "Workload (hours)",
  "/learningOutcomes": "Learning outcomes",
  "/assessment/type": "Assessment",
  "/assessment/grade": "Grade",
  "/assessment/identityCheck": "Identity check",
  "/participation": "Form of participation",
  "/qualityAssurance": "Quality assurance",
  "/description": "Description",
  "/prerequisites": "Prerequisites",
  "/stackability/countsTowards": "Counts towards",
  "/stackability/buildsOn": "Builds on",
  "/skills": "Skills",
  "/evidenceUrl": "Evidence",
  "/id": "Credential id",
};

const PARTICIPATION: Record<string, string> = {
  online: "Online",
  onsite: "On site",
  blended: "Blended (online and on site)",
};

const IDENTITY_CHECK: Record<string, string> = {
  none: "none",
  "online-unsupervised": "online, unsupervised",
  "online-supervised": "online, supervised",
  "onsite-supervised": "on site, supervised",
};

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** A value as text: strings as they are, anything else as JSON (a bundle may hold any JSON value). */
function asText(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** `2026-06-30` → `30 June 2026`; a date-time keeps its UTC time; anything else stays as it is. */
export function dateWords(value: JsonValue): string {
  const text = asText(value);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}))?/.exec(text);
  const month = match ? MONTHS[Number(match[2]) - 1] : undefined;
  if (!match || month === undefined) return text;
  const day = `${Number(match[3])} ${month} ${match[1]}`;
  return match[4] === undefined ? day : `${day}, ${match[4]}:${match[5]} UTC`;
}

/** Reads the credential's fields once each: what is taken is not listed again under "Other". */
class Fields {
  private readonly left: Map<string, JsonValue>;

  constructor(credential: Bundle["credential"]) {
    this.left = flatten(credential);
  }

  take(pointer: string): JsonValue | undefined {
    const value = this.left.get(pointer);
    this.left.delete(pointer);
    return value;
  }

  list(pointer: string): string[] {
    const value = this.take(pointer);
    if (value === undefined) return [];
    return Array.isArray(value) ? value.map(asText) : [asText(value)];
  }

  rest(): [string, JsonValue][] {
    return [...this.left];
  }
}

function row(label: string, paragraphs: (string | undefined)[], bullets = false): CertificateRow[] {
  const shown = paragraphs.filter((p): p is string => p !== undefined && p !== "");
  return shown.length === 0 ? [] : [{ label, paragraphs: shown, ...(bullets ? { bullets } : {}) }];
}

const text = (value: JsonValue | undefined) => (value === undefined ? undefined : asText(value));

function levelRow(fields: Fields): CertificateRow[] {
  const eqf = fields.take("/eqfLevel");
  const nqf = fields.take("/nqfLevel");
  const parts = [eqf === undefined ? undefined : `EQF level ${asText(eqf)}`, text(nqf)];
  return row("Level", [parts.filter((p) => p !== undefined).join(" · ")]);
}

function workloadRow(fields: Fields): CertificateRow[] {
  const ects = fields.take("/workload/ects");
  const hours = fields.take("/workload/hours");
  const parts = [
    ects === undefined ? undefined : `${asText(ects)} ECTS credit${ects === 1 ? "" : "s"}`,
    hours === undefined ? undefined : `${asText(hours)} hour${hours === 1 ? "" : "s"} of study`,
  ];
  return row("Workload", [parts.filter((p) => p !== undefined).join(" · ")]);
}

function assessmentRow(fields: Fields): CertificateRow[] {
  const grade = fields.take("/assessment/grade");
  const identity = fields.take("/assessment/identityCheck");
  const identityText = identity === undefined ? undefined : (IDENTITY_CHECK[asText(identity)] ?? asText(identity));
  return row("Assessment", [
    text(fields.take("/assessment/type")),
    grade === undefined ? undefined : `Grade: ${asText(grade)}`,
    identityText === undefined ? undefined : `Identity checked: ${identityText}`,
  ]);
}

/**
 * The certificate's words for `bundle` awarded by `issuerName`: every shown field of the credential
 * under a label a reader knows (EU micro-credential elements first), fields this version does not know
 * under their JSON Pointer, and the labels of the fields the holder hid. Values are the bundle's own;
 * nothing hidden is read, since a disclosed copy does not hold it.
 * @example certificateText(bundle, "Universiteit van Voorbeeld").rows[0] // { label: "Awarding body", … }
 */
export function certificateText(bundle: Bundle, issuerName: string): CertificateText {
  const fields = new Fields(bundle.credential);
  const title = text(fields.take("/title")) ?? "";
  const learner = text(fields.take("/learner/name")) ?? null;
  const participation = text(fields.take("/participation"));
  const { chainId, registry, issuerId } = bundle.anchor;
  const issuedOn = fields.take("/issuedOn");
  const validUntil = fields.take("/validUntil");
  const rows: CertificateRow[] = [
    ...row("Awarding body", [
      issuerName,
      `Issuer no. ${issuerId} of the registry ${registry} on chain ${chainId}, under the name it records`,
    ]),
    ...row("Country of the issuer", [text(fields.take("/issuerCountry"))]),
    ...row("Date of issue", [issuedOn === undefined ? undefined : dateWords(issuedOn)]),
    ...row("Valid until", [validUntil === undefined ? undefined : dateWords(validUntil)]),
    ...levelRow(fields),
    ...workloadRow(fields),
    ...row("Learning outcomes", fields.list("/learningOutcomes"), true),
    ...assessmentRow(fields),
    ...row("Form of participation", [
      participation === undefined ? undefined : (PARTICIPATION[participation] ?? participation),
    ]),
    ...row("Quality assurance", [text(fields.take("/qualityAssurance"))]),
    ...row("Description", [text(fields.take("/description"))]),
    ...row("Prerequisites", fields.list("/prerequisites"), true),
    ...row("Counts towards", [text(fields.take("/stackability/countsTowards"))]),
    ...row("Builds on", fields.list("/stackability/buildsOn"), true),
    ...row("Skills", fields.list("/skills"), true),
    ...row("Evidence", [text(fields.take("/evidenceUrl"))]),
    ...row("Learner's id", [text(fields.take("/learner/identifier"))]),
    ...row("Learner's email", [text(fields.take("/learner/email"))]),
    ...row("Learner's date of birth", [text(fields.take("/learner/dateOfBirth"))]),
    ...row("Credential id", [text(fields.take("/id"))]),
    ...fields.rest().flatMap(([pointer, value]) => row(pointer, [asText(value)])),
  ];
  // In the order the rows are read; fields this version does not know last.
  const order = Object.keys(LABELS);
  const rank = (pointer: string) => (order.includes(pointer) ? order.indexOf(pointer) : order.length);
  const hidden = Object.keys(bundle.hidden ?? {})
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1))
    .map((pointer) => LABELS[pointer] ?? pointer);
  return { title, learner, awardingBody: issuerName, rows, hidden };
}
