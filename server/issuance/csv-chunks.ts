/**
 * A CSV upload cut into pieces that each parse on their own (the commit pool's threads parse them):
 * every piece is the header record followed by a run of whole records of the upload.
 */

/** One piece: a CSV of its own, and how its lines map to the upload's. */
export interface CsvChunk {
  /** The header record, then this run of records, as they are in the upload. */
  text: string;
  /** Line `n` of `text` (from the header's end on) is line `n + lineOffset` of the upload. */
  lineOffset: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Cuts `body` (no byte-order mark) after every `rows`-th record delimiter outside quotes. Like
 * csv-parse, the delimiter is the header's line break (CRLF or LF): a lone LF in a CRLF upload, or
 * a lone CR in any, stays inside its record (each is still a line break, as `parseCredentialsCsv`
 * counts lines). Quotes are counted for their parity: a cell's doubled quotes leave it even, so a
 * break inside a quoted cell is never a cut. Each piece starts where a record starts, in the same
 * state of the parser as in the whole upload: it parses to the same rows, and in a malformed upload
 * the piece holding the first error fails too (the caller then parses the whole upload, for the
 * exact error).
 * @returns the pieces, each made when asked for (a 1M-row upload is ≈ 870 MB of UTF-16: not twice
 * at once), or null when the upload has fewer than `minRecords` record delimiters (parse it whole)
 * or its header ends with a lone CR.
 */
export function csvChunks(body: string, rows: number, minRecords: number): (() => CsvChunk)[] | null {
  let quoted = false;
  let breaks = 0; // line breaks so far
  let records = 0; // record delimiters so far
  let crlf: boolean | undefined; // the header's line break: CRLF or LF
  let headerEnd = -1;
  let headerBreaks = 0;
  let start = 0; // where the current piece's records begin
  let startBreaks = 0;
  const cuts: { from: number; to: number; breaks: number }[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c === QUOTE) {
      quoted = !quoted;
      continue;
    }
    if (c !== LF && (c !== CR || body.charCodeAt(i + 1) === LF)) continue;
    breaks++;
    if (quoted) continue;
    const afterCr = body.charCodeAt(i - 1) === CR;
    if (crlf === undefined) {
      if (c === CR) return null;
      [crlf, headerEnd, headerBreaks] = [afterCr, i + 1, breaks];
      [start, startBreaks, records] = [headerEnd, breaks, 1];
      continue;
    }
    if (c === CR || (crlf && !afterCr)) continue; // a line break, but no record delimiter
    records++;
    if ((records - 1) % rows === 0) {
      cuts.push({ from: start, to: i + 1, breaks: startBreaks });
      [start, startBreaks] = [i + 1, breaks];
    }
  }
  if (crlf === undefined || records < minRecords) return null;
  if (start < body.length) cuts.push({ from: start, to: body.length, breaks: startBreaks });
  const header = body.slice(0, headerEnd);
  return cuts.map(({ from, to, breaks: before }) => () => ({
    text: header + body.slice(from, to),
    lineOffset: before - headerBreaks,
  }));
}
