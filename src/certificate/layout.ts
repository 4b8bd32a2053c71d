import { type PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import { CredrootError } from "../errors";

/** A4 portrait, in PDF points. */
export const PAGE = { width: 595.28, height: 841.89, margin: 50, footer: 46 } as const;

export const INK = rgb(0.1, 0.1, 0.12);
export const MUTED = rgb(0.38, 0.4, 0.45);
export const RULE = rgb(0.8, 0.82, 0.85);

/** The two faces a certificate is set in, with the characters each can print. */
export interface Faces {
  regular: PDFFont;
  bold: PDFFont;
  /** Code points the faces can print; a character outside it is refused, never printed as a box. */
  printable: ReadonlySet<number>;
  /** What to say when a character cannot be printed. */
  missing: (character: string) => string;
}

/** Line and paragraph breaks and tabs, shown as one space. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029\t]/g;
/** Other controls and the bidirectional formatting characters: removed, as the CLI removes them (cli/printable.ts). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `value` as one line of printable text: controls and bidirectional overrides removed (an override would
 * print a name reversed), breaks as spaces.
 * @throws CredrootError `INVALID_ARGUMENT` naming a character the faces cannot print.
 */
export function printableText(value: string, faces: Faces): string {
  const text = value.replace(BREAKS, " ").replace(CONTROLS, "");
  for (const character of text) {
    if (!faces.printable.has(character.codePointAt(0)!))
      throw new CredrootError("INVALID_ARGUMENT", faces.missing(character));
  }
  return text;
}

/** Splits a word wider than `width` into pieces that fit (a long URI, an id), measuring each character once. */
function splitWord(word: string, font: PDFFont, size: number, width: number): string[] {
  const pieces: string[] = [];
  let piece = "";
  let used = 0;
  for (const character of word) {
    const w = font.widthOfTextAtSize(character, size);
    if (piece !== "" && used + w > width) {
      pieces.push(piece);
      [piece, used] = ["", 0];
    }
    piece += character;
    used += w;
  }
  return piece === "" ? pieces : [...pieces, piece];
}

/**
 * `text` broken into lines no wider than `width`, at spaces where it can, inside a word where it must. Each word
 * is measured once (a line's width is its words' and spaces' widths added up): laying out text is what costs.
 */
export function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const space = font.widthOfTextAtSize(" ", size);
  const lines: string[] = [];
  let line = "";
  let used = 0;
  for (const word of text.split(/ +/).filter((w) => w !== "")) {
    const w = font.widthOfTextAtSize(word, size);
    if (line === "" ? w <= width : used + space + w <= width) {
      [line, used] = line === "" ? [word, w] : [`${line} ${word}`, used + space + w];
      continue;
    }
    if (line !== "") lines.push(line);
    if (w <= width) {
      [line, used] = [word, w];
      continue;
    }
    const pieces = splitWord(word, font, size, width);
    line = pieces.pop() ?? "";
    used = font.widthOfTextAtSize(line, size);
    lines.push(...pieces);
  }
  if (line !== "") lines.push(line);
  return lines.length === 0 ? [""] : lines;
}

/** How one block of text is set. */
export interface TextStyle {
  size: number;
  bold?: boolean;
  color?: ReturnType<typeof rgb>;
  /** Left edge and width of the block; default the page's text width. */
  x?: number;
  width?: number;
  /** Extra space between lines, as a share of the size (default 0.35). */
  leading?: number;
}

/** Writes text down the pages of a document, starting a new page when one is full. */
export class PageWriter {
  page: PDFPage;
  /** The baseline of the next line, from the bottom of the page. */
  y: number;
  readonly pages: PDFPage[] = [];

  constructor(
    private readonly doc: PDFDocument,
    readonly faces: Faces,
  ) {
    this.page = this.newPage();
    this.y = PAGE.height - PAGE.margin;
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage([PAGE.width, PAGE.height]);
    this.pages.push(page);
    return page;
  }

  /** Starts a new page unless `height` points still fit above the footer. */
  ensure(height: number): void {
    if (this.y - height >= PAGE.margin + PAGE.footer) return;
    this.page = this.newPage();
    this.y = PAGE.height - PAGE.margin;
    this.onNewPage?.(this.page);
  }

  /** Called on each page a row runs onto (to repeat its label there). */
  onNewPage: ((page: PDFPage) => void) | null = null;

  /** The lines `text` takes in `style`, checked for characters the faces cannot print. */
  lines(text: string, style: TextStyle): string[] {
    const font = style.bold === true ? this.faces.bold : this.faces.regular;
    return wrap(printableText(text, this.faces), font, style.size, style.width ?? PAGE.width - 2 * PAGE.margin);
  }

  /** Height of one line in `style`. */
  static lineHeight(style: TextStyle): number {
    return style.size * (1 + (style.leading ?? 0.35));
  }

  /** Writes `text` wrapped, moving down; a line that does not fit starts a new page. */
  write(text: string, style: TextStyle): void {
    const font = style.bold === true ? this.faces.bold : this.faces.regular;
    for (const line of this.lines(text, style)) {
      this.ensure(PageWriter.lineHeight(style));
      this.y -= style.size;
      this.page.drawText(line, {
        x: style.x ?? PAGE.margin,
        y: this.y,
        size: style.size,
        font,
        color: style.color ?? INK,
      });
      this.y -= style.size * (style.leading ?? 0.35);
    }
  }

  /** A thin line across the text width, with `space` points above and below. */
  rule(space: number): void {
    this.ensure(2 * space);
    this.y -= space;
    const start = { x: PAGE.margin, y: this.y };
    this.page.drawLine({ start, end: { x: PAGE.width - PAGE.margin, y: this.y }, thickness: 0.6, color: RULE });
    this.y -= space;
  }
}
