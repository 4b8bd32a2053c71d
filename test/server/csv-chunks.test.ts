import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvChunks } from "../../server/issuance/csv-chunks";
import { parseCredentialsCsv } from "../../src/node/csv";

/** A cell as a spreadsheet writes it: quoted (its quotes doubled) when it holds `,`, a quote or a break. */
const cell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** What the pieces parse to, put back together: every row, and its line in the upload. */
function parsePieces(body: string, rows: number) {
  const pieces = csvChunks(body, rows, 1);
  if (pieces === null) throw new Error("no pieces");
  const parsed = pieces.map((piece) => {
    const { text, lineOffset } = piece();
    const { credentials, lines } = parseCredentialsCsv(text);
    return { text, credentials, lines: lines.map((line) => line + lineOffset) };
  });
  return {
    texts: parsed.map((p) => p.text),
    credentials: parsed.flatMap((p) => p.credentials),
    lines: parsed.flatMap((p) => p.lines),
  };
}

/** `fn()`, or null when it throws. */
function attempt<T>(fn: () => T): T | null {
  try {
    return fn();
  } catch {
    return null;
  }
}

describe("csvChunks", () => {
  it("cuts after every n-th record, each piece the header then whole records, with the upload's lines", () => {
    const header = "id,title\n";
    const [a, b, c, d, e] = ["a,one\n", 'b,"two\nlines"\n', 'c,"say ""hi"", then\r\nbreak"\n', "d,four\n", "e,five"];
    const body = header + a + b + c + d + e;
    const { texts, credentials, lines } = parsePieces(body, 2);
    expect(texts).toEqual([header + a + b, header + c + d, header + e]);
    expect(credentials).toEqual(parseCredentialsCsv(body).credentials);
    expect(lines).toEqual([2, 3, 5, 7, 8]);
    expect(lines).toEqual(parseCredentialsCsv(body).lines);
  });

  it("gives the rows and lines of the whole upload for any cells, line breaks and blank lines", () => {
    const char = fc.constantFrom("a", "é", " ", ",", '"', "|", "\n", "\r", "\r\n");
    const text = fc
      .array(char, { minLength: 1, maxLength: 12 })
      .map((chars) => chars.join(""))
      .filter((t) => t.trim() === t && t !== "");
    const eol = fc.constantFrom("\n", "\r\n", "\r", "\n\n", "\r\n \r\n");
    const record = fc.tuple(text, text, eol).map(([id, title, end]) => `${cell(id)},${cell(title)}${end}`);
    let parsed = 0;
    fc.assert(
      fc.property(
        fc.array(record, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom("\n", "\r\n"),
        (rows, size, headerEnd) => {
          const body = `id,title${headerEnd}${rows.join("")}`;
          // What the pool relies on: pieces that all parse give the whole upload's rows and lines;
          // a malformed upload has a piece that fails (a piece of blank lines only fails too: the
          // pool then parses the whole upload, which is always right).
          const pieces = attempt(() => parsePieces(body, size));
          const whole = attempt(() => parseCredentialsCsv(body));
          if (whole === null) expect(pieces).toBeNull();
          else if (pieces !== null) {
            parsed++;
            expect(pieces.credentials).toEqual(whole.credentials);
            expect(pieces.lines).toEqual(whole.lines);
          }
        },
      ),
      { numRuns: 400 },
    );
    expect(parsed).toBeGreaterThan(40); // most uploads are compared, not only refused
  });

  it("leaves a small upload, one without a record break, and one whose header ends with a lone CR whole", () => {
    expect(csvChunks("id,title\na,one\nb,two\n", 1, 3)).toHaveLength(2);
    expect(csvChunks("id,title\na,one\nb,two\n", 1, 4)).toBeNull();
    expect(csvChunks("id,title", 1, 0)).toBeNull();
    expect(csvChunks("id,title\ra,one\rb,two\r", 1, 1)).toBeNull();
  });

  it("puts the first error of a malformed upload in a piece that fails to parse", () => {
    const body = `id,title\n${Array.from({ length: 9 }, (_, i) => `r${i},t${i}\n`).join("")}`.replace(
      "r5,t5",
      'r5,t"5',
    );
    const pieces = csvChunks(body, 2, 1)!;
    const failures = pieces.map((piece) => {
      try {
        parseCredentialsCsv(piece().text);
        return null;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    });
    expect(failures.slice(0, 2)).toEqual([null, null]);
    expect(failures[2]).toMatch(/quote inside an unquoted cell/);
  });
});
