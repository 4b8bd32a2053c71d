import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { columnOf, credentialColumns, parseCredentialsCsv } from "../../src/node/csv";
import { type Credential, parseCredential } from "../../src/credential";
import { newBatchId } from "../../src/encoding";
import { prepareBatch } from "../../src/batch";
import { detailPaths, expectCode } from "../src/helpers";

interface RenderOptions {
  delimiter?: "," | ";";
  eol?: string;
  /** Header cells; the dotted columns by default. */
  header?: readonly string[];
}

function valueAt(credential: Credential, column: string): unknown {
  let node: unknown = credential;
  for (const key of column.split(".")) node = (node as Record<string, unknown> | undefined)?.[key];
  return node;
}

/** One CSV cell, quoted only when it has to be; arrays joined with `|`. */
function renderCell(value: unknown): string {
  if (value === undefined) return "";
  const text = Array.isArray(value) ? value.join("|") : typeof value === "string" ? value : JSON.stringify(value);
  return /[",;\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Credentials as a CSV upload, one row each under the columns of `credentialColumns()`. */
function renderCsv(credentials: readonly Credential[], options: RenderOptions = {}): string {
  const { delimiter = ",", eol = "\n" } = options;
  const columns = credentialColumns();
  const rows = credentials.map((c) => columns.map((column) => renderCell(valueAt(c, column))).join(delimiter));
  return [(options.header ?? columns).join(delimiter), ...rows].join(eol) + eol;
}

const samples = Array.from({ length: 30 }, (_, i) => sampleCredential(i));

/** Parses a CSV of one credential and returns it as a plain record. */
function parseOne(text: string): Record<string, unknown> {
  const { credentials } = parseCredentialsCsv(text);
  expect(credentials).toHaveLength(1);
  return credentials[0] as Record<string, unknown>;
}

describe("credentialColumns", () => {
  it("lists every leaf field of the schema as a dotted path, in schema order", () => {
    expect(credentialColumns()).toEqual([
      "id",
      "title",
      "description",
      "learner.name",
      "learner.identifier",
      "learner.email",
      "learner.dateOfBirth",
      "issuerCountry",
      "issuedOn",
      "learningOutcomes",
      "workload.ects",
      "workload.hours",
      "eqfLevel",
      "nqfLevel",
      "assessment.type",
      "assessment.grade",
      "assessment.identityCheck",
      "participation",
      "qualityAssurance",
      "prerequisites",
      "stackability.countsTowards",
      "stackability.buildsOn",
      "validUntil",
      "skills",
      "evidenceUrl",
    ]);
  });

  it("hands out a copy that callers may change", () => {
    credentialColumns().pop();
    expect(credentialColumns()).toContain("evidenceUrl");
  });
});

describe("parseCredentialsCsv", () => {
  it("turns rows rendered from sample credentials back into those credentials, which parseCredential accepts", () => {
    const { credentials, lines } = parseCredentialsCsv(renderCsv(samples));
    expect(credentials).toEqual(samples);
    credentials.forEach((c) => expect(() => parseCredential(c)).not.toThrow());
    expect(lines).toEqual(samples.map((_, i) => i + 2));
  });

  it("round-trips every optional field too, arrays and numbers included", () => {
    const full = sampleCredential(7, {
      description: 'A longer description; with a semicolon, a comma and a "quote"',
      nqfLevel: "NL-NLQF 6",
      prerequisites: ["Basic statistics", "Python"],
      stackability: { countsTowards: "MSc Data Science", buildsOn: [`0x${"ab".repeat(32)}`, `0x${"cd".repeat(32)}`] },
      validUntil: "2031-06-30",
      evidenceUrl: "https://uni.example.org/evidence/7",
      learner: { name: "Zoë d'Arc", identifier: "S7", email: "zoe@example.org", dateOfBirth: "2001-02-03" },
      workload: { ects: 2.5, hours: 70 },
    });
    expect(parseCredentialsCsv(renderCsv([full])).credentials).toEqual([full]);
  });

  it("accepts JSON Pointer headers such as /learner/name, also mixed with dotted ones", () => {
    const header = credentialColumns().map((c, i) => (i % 2 === 1 ? `/${c.replaceAll(".", "/")}` : c));
    expect(header).toContain("/learner/name");
    expect(parseCredentialsCsv(renderCsv(samples.slice(0, 3), { header })).credentials).toEqual(samples.slice(0, 3));
  });

  it("reads a semicolon-delimited file, detected from the header line", () => {
    const sample = sampleCredential(1, { title: "Data, Ethics and Law" });
    const text = renderCsv([sample], { delimiter: ";" });
    expect(text.split("\n")[0]).toContain("learner.name;learner.identifier");
    expect(parseCredentialsCsv(text).credentials).toEqual([sample]);
  });

  it("keeps commas, semicolons, doubled quotes and line breaks inside a quoted cell", () => {
    const credential = parseOne('id,title,description\r\nx,"Data, ""Ethics""; Law","Line one\r\nline two"\r\n');
    expect(credential).toEqual({ id: "x", title: 'Data, "Ethics"; Law', description: "Line one\r\nline two" });
  });

  it("ignores a byte-order mark at the start of the file", () => {
    const text = `\uFEFF${renderCsv(samples.slice(0, 2))}`;
    expect(parseCredentialsCsv(text).credentials).toEqual(samples.slice(0, 2));
    expect(parseOne('\uFEFF"id","title"\nx,y\n')).toEqual({ id: "x", title: "y" });
  });

  it("leaves out the field of an empty or blank cell instead of setting it to an empty string", () => {
    const credential = parseOne('id,description,learner.name,learner.email,skills\nx,,Ana,"   ",\n');
    expect(credential).toEqual({ id: "x", learner: { name: "Ana" } });
  });

  it("leaves out a nested object whose cells are all empty", () => {
    expect(parseOne("id,workload.ects,workload.hours\nx,,\n")).toEqual({ id: "x" });
  });

  it("trims cells and array items, drops empty items, and takes a cell of separators as empty", () => {
    const credential = parseOne('id,title,learningOutcomes,prerequisites\n  x  ," A title ", first | | second |, | \n');
    expect(credential).toEqual({ id: "x", title: "A title", learningOutcomes: ["first", "second"] });
  });

  it("turns number cells into numbers and keeps any other text, which parseCredential then reports at /workload/ects", () => {
    const credential = parseOne("id,workload.ects,workload.hours,eqfLevel\nx,three,-1.5e2,6\n");
    expect(credential).toEqual({ id: "x", workload: { ects: "three", hours: -150 }, eqfLevel: 6 });
    const invalid = { ...sampleCredential(0), workload: credential.workload };
    const error = expectCode(() => parseCredential(invalid), "INVALID_CREDENTIAL");
    expect(error.details).toContainEqual({ path: "/workload/ects", message: "must be number" });
  });

  it("keeps hexadecimal and infinite numbers as text", () => {
    const credential = parseOne("workload.ects,workload.hours,eqfLevel\n0x10,Infinity,1e999\n");
    expect(credential).toEqual({ workload: { ects: "0x10", hours: "Infinity" }, eqfLevel: "1e999" });
  });

  it("leaves cells of text fields as text even when they look like numbers", () => {
    expect(parseOne("id,assessment.grade\n007,8.5\n")).toEqual({ id: "007", assessment: { grade: "8.5" } });
  });

  it("rejects unknown columns, naming each of them and nothing else", () => {
    const error = expectCode(
      () => parseCredentialsCsv("id,learner.nmae,title,learner,/learner/Name\nx,y,z,w,v\n"),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toBe(
      'CSV header: unknown column "learner.nmae"; unknown column "learner"; unknown column "/learner/Name"',
    );
    expect(detailPaths(error)).toEqual(["column 2", "column 4", "column 5"]);
  });

  it("reads the issuer's country from the issuerCountry column", () => {
    expect(parseOne("id,issuerCountry\nx,NL\n")).toEqual({ id: "x", issuerCountry: "NL" });
    expect(parseOne("id,/issuerCountry\nx,BE\n")).toEqual({ id: "x", issuerCountry: "BE" });
  });

  it("refuses format v1's awardingBody columns in one line saying the awarding body comes from the registry", () => {
    const v1 =
      "id,title,awardingBody.name,/awardingBody/country,learner.name,awardingBody.url\nx,y,Harvard University,US,A,u\n";
    const error = expectCode(() => parseCredentialsCsv(v1), "INVALID_ARGUMENT");
    expect(error.message).not.toContain("\n");
    expect(error.message).toBe(
      "CSV header: awardingBody.name, /awardingBody/country, awardingBody.url: the awarding body now comes from the " +
        "registry (the name it records for your issuer), not from the CSV; remove the awardingBody columns and give " +
        "the issuer's country in an issuerCountry column",
    );
    expect(detailPaths(error)).toEqual(["column 3", "column 4", "column 6"]);
    // Even with other unknown columns, the awarding body is what the error is about.
    const mixed = expectCode(() => parseCredentialsCsv("awardingBody,nonsense\nx,y\n"), "INVALID_ARGUMENT");
    expect(mixed.message).toMatch(/^CSV header: awardingBody: the awarding body now comes from the registry/);
  });

  it("rejects a column named twice, also when one spells it as a pointer", () => {
    const error = expectCode(() => parseCredentialsCsv("learner.name,id,/learner/name\nA,x,B\n"), "INVALID_ARGUMENT");
    expect(error.message).toBe('CSV header: duplicate column "/learner/name" (the field of column 1)');
    expect(detailPaths(error)).toEqual(["column 3"]);
  });

  it("rejects a row with fewer or more cells than the header, naming the line it starts on", () => {
    const fewer = expectCode(() => parseCredentialsCsv('id,title\nx,"two\nlines"\ny\nz,t\n'), "INVALID_ARGUMENT");
    expect(fewer.message).toBe("CSV line 4: 1 cell, but the header has 2 columns");
    expect(fewer.details).toEqual([{ path: "line 4", message: "1 cell, but the header has 2 columns" }]);
    const more = expectCode(() => parseCredentialsCsv('id,title\r\nx,y\r\n"a\r\nb",c,d\r\n'), "INVALID_ARGUMENT");
    expect(more.message).toBe("CSV line 3: 3 cells, but the header has 2 columns");
  });

  it("rejects an unclosed quote, naming the line where the quote opens rather than the end of the file", () => {
    const error = expectCode(
      () => parseCredentialsCsv('id,title\nx,y\n\nz,"never closed\na,b\nc,d\n'),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toBe("CSV line 4: a quoted cell is never closed");
    expect(detailPaths(error)).toEqual(["line 4"]);
    const first = expectCode(
      () => parseCredentialsCsv('id,title\r\nx,y\r\n\r\n"never closed,z\r\na,b\r\n'),
      "INVALID_ARGUMENT",
    );
    expect(first.message).toBe("CSV line 4: a quoted cell is never closed");
  });

  it("rejects a quote in the middle of an unquoted cell, naming its line", () => {
    const error = expectCode(() => parseCredentialsCsv('id,title\r\nx,y\r\nz,5" screen\r\n'), "INVALID_ARGUMENT");
    expect(detailPaths(error)).toEqual(["line 3"]);
    expect(error.message).toMatch(/^CSV line 3: a quote inside an unquoted cell/);
  });

  it("rejects a file with a header but no credential rows", () => {
    for (const text of ["id,title\n", "id,title\n\n,\n", "", "\n\n"]) {
      const error = expectCode(() => parseCredentialsCsv(text), "INVALID_ARGUMENT");
      expect(error.message).toBe("the CSV has no credential rows");
    }
  });

  it("rejects more rows than maxRows, naming the first line too many", () => {
    expect(parseCredentialsCsv("id\na\nb\n", { maxRows: 2 }).credentials).toHaveLength(2);
    const error = expectCode(() => parseCredentialsCsv("id\na\nb\nc\n", { maxRows: 2 }), "INVALID_ARGUMENT");
    expect(error.message).toBe("CSV line 4: the CSV has more than 2 credential rows");
  });

  it("skips blank lines and rows of empty cells, still counting them in line numbers", () => {
    const { credentials, lines } = parseCredentialsCsv("id,title\n\nx,1\n,\n  ,  \ny,2\n\n");
    expect(credentials).toEqual([
      { id: "x", title: "1" },
      { id: "y", title: "2" },
    ]);
    expect(lines).toEqual([3, 6]);
  });

  it("gives the line each credential starts on when a quoted cell spans two lines, with LF or CRLF", () => {
    for (const eol of ["\n", "\r\n"]) {
      const text = ["id,title", `a,"two${eol}lines"`, "b,one line", `c,"x${eol}y${eol}z"`, "d,last"].join(eol);
      expect(parseCredentialsCsv(text).lines, JSON.stringify(eol)).toEqual([2, 4, 5, 8]);
    }
  });

  it("lets prepareBatch's row index be turned into the line of the file", () => {
    const rows = [samples[0]!, sampleCredential(1, { description: "two\nlines" }), samples[2]!];
    const text = renderCsv(rows).replace("learner2@example.org", "not an email");
    const { credentials, lines } = parseCredentialsCsv(text);
    const context = { chainId: 31337, registry: `0x${"11".repeat(20)}`, issuerId: 1, batchId: newBatchId() };
    const error = expectCode(() => prepareBatch(credentials, context), "INVALID_CREDENTIAL");
    expect(detailPaths(error)).toEqual(["/2/learner/email"]);
    expect(lines[2]).toBe(5);
  });

  it("reads back any text cell and counts the lines it spans", () => {
    const char = fc.constantFrom("a", "Z", "é", " ", ",", ";", '"', "|", "\n", "\r", "\r\n");
    const title = fc
      .array(char, { minLength: 1, maxLength: 20 })
      .map((chars) => chars.join(""))
      .filter((t) => t.trim() === t && t !== "");
    fc.assert(
      fc.property(title, fc.constantFrom("\n", "\r\n"), (t, eol) => {
        const text = ["id,title", `x,${renderCell(t)}`, "y,next"].join(eol);
        const { credentials, lines } = parseCredentialsCsv(text);
        expect(credentials[0]).toEqual({ id: "x", title: t });
        expect(lines).toEqual([2, 3 + (t.match(/\r\n|\r|\n/g) ?? []).length]);
      }),
      { numRuns: 300 },
    );
  });
});

describe("columnOf", () => {
  it("names a field as the CSV header does, not as a JSON Pointer", () => {
    expect(columnOf("/workload/ects")).toBe("workload.ects");
    expect(columnOf("/learner/name")).toBe("learner.name");
    expect(columnOf("/title")).toBe("title");
    // An array is one column, whichever item is wrong.
    expect(columnOf("/skills/1")).toBe("skills");
    expect(credentialColumns()).toContain(columnOf("/learner/dateOfBirth"));
  });

  it("turns every field error of a CSV row into one of its columns, and a bad date says the form expected", () => {
    const text = renderCsv([sampleCredential(1, { issuedOn: "30/06/2026", workload: { ects: -1 } })]);
    const { credentials } = parseCredentialsCsv(text);
    const context = { chainId: 31337, registry: `0x${"11".repeat(20)}`, issuerId: 1, batchId: newBatchId() };
    const error = expectCode(() => prepareBatch(credentials, context), "INVALID_CREDENTIAL");
    const named = error.details.map((d) => `${columnOf(d.path.replace(/^\/\d+/, ""))} ${d.message}`);
    expect(named).toEqual(
      expect.arrayContaining([
        "issuedOn must be a date in the form YYYY-MM-DD (2026-06-30)",
        "workload.ects must be >= 0",
      ]),
    );
    for (const d of error.details) expect(credentialColumns()).toContain(columnOf(d.path.replace(/^\/\d+/, "")));
  });
});
