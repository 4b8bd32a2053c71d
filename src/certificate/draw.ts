import { type PDFDocument, type PDFPage, PDFString, rgb } from "pdf-lib";
import { BUNDLE_ATTACHMENT } from "./names";
import { INK, MUTED, PAGE, PageWriter, type TextStyle } from "./layout";
import type { CertificateQr } from "./link";
import type { CertificateRow, CertificateText } from "./words";

const QR_SIZE = 170;
const LABEL_WIDTH = 128;
const GAP = 12;

/** The QR code at the top right of the first page, a caption under it, and a link over it. */
function drawQr(doc: PDFDocument, page: PDFPage, writer: PageWriter, qr: CertificateQr): number {
  const size = qr.modules.length;
  const module = QR_SIZE / size;
  const x = PAGE.width - PAGE.margin - QR_SIZE;
  const top = PAGE.height - PAGE.margin;
  let path = "";
  qr.modules.forEach((row, r) => {
    for (let c = 0; c < size; c++) {
      if (!row[c] || (c > 0 && row[c - 1])) continue;
      let run = 1;
      while (row[c + run]) run++;
      path += `M${c} ${r}h${run}v1h-${run}z`;
    }
  });
  page.drawSvgPath(path, { x, y: top, scale: module, color: rgb(0, 0, 0), borderWidth: 0 });
  const link = doc.context.obj({
    Type: "Annot",
    Subtype: "Link",
    Rect: [x, top - QR_SIZE, x + QR_SIZE, top],
    Border: [0, 0, 0],
    A: { Type: "Action", S: "URI", URI: PDFString.of(qr.text) },
  });
  page.node.addAnnot(doc.context.register(link));
  const caption = qr.carries === "bundle" ? "Scan to verify: the code carries the credential" : "Scan to verify";
  const style: TextStyle = { size: 8, color: MUTED, x, width: QR_SIZE };
  const saved = writer.y;
  writer.y = top - QR_SIZE - 4;
  writer.write(caption, style);
  const bottom = writer.y;
  writer.y = saved;
  return bottom;
}

function drawRow(writer: PageWriter, row: CertificateRow): void {
  const valueX = PAGE.margin + LABEL_WIDTH + GAP;
  const width = PAGE.width - PAGE.margin - valueX;
  const value: TextStyle = { size: 10, x: valueX, width };
  const label: TextStyle = { size: 8.5, bold: true, color: MUTED, x: PAGE.margin, width: LABEL_WIDTH };
  // The label and the row's first line stay together on one page.
  writer.ensure(PageWriter.lineHeight(value) + 6);
  const top = writer.y;
  writer.y -= 1.5;
  writer.write(row.label.toUpperCase(), label);
  const labelBottom = writer.y;
  const page = writer.page;
  writer.y = top;
  // A row that runs onto the next page says there whose it is.
  writer.onNewPage = (next) =>
    writer.lines(`${row.label.toUpperCase()} (CONTINUED)`, label).forEach((line, n) => {
      const y = writer.y - 1.5 - label.size - n * PageWriter.lineHeight(label);
      next.drawText(line, { x: PAGE.margin, y, size: label.size, font: writer.faces.bold, color: MUTED });
    });
  for (const paragraph of row.paragraphs) {
    if (row.bullets === true) {
      writer.ensure(PageWriter.lineHeight(value));
      writer.page.drawText("•", {
        x: valueX,
        y: writer.y - value.size,
        size: value.size,
        font: writer.faces.regular,
        color: INK,
      });
      writer.write(paragraph, { ...value, x: valueX + 10, width: width - 10 });
    } else {
      writer.write(paragraph, value);
    }
    writer.y -= 2;
  }
  writer.onNewPage = null;
  if (writer.page === page) writer.y = Math.min(writer.y, labelBottom);
  writer.y -= 6;
}

function drawFooters(writer: PageWriter): void {
  const note =
    `This certificate carries its proof: the file ${BUNDLE_ATTACHMENT} attached to this PDF. Scan the QR code, or open ` +
    "this PDF in a credroot verifier (the web page, or credroot verify): the printed text proves nothing by itself.";
  const size = 7.5;
  const font = writer.faces.regular;
  const lines = writer.lines(note, { size, width: PAGE.width - 2 * PAGE.margin - 70 });
  writer.pages.forEach((page, i) => {
    const count = `Page ${i + 1} of ${writer.pages.length}`;
    const top = PAGE.margin + PAGE.footer - 16;
    const x = PAGE.width - PAGE.margin - font.widthOfTextAtSize(count, size);
    page.drawText(count, { x, y: top, size, font, color: MUTED });
    lines.forEach((line, n) => {
      page.drawText(line, { x: PAGE.margin, y: top - n * size * 1.35, size, font, color: MUTED });
    });
  });
}

/**
 * Lays out the certificate's pages: the title, the learner and the awarding body beside the QR code, then one row
 * per field, then a footer on every page that says where the proof is.
 */
export function drawCertificate(doc: PDFDocument, writer: PageWriter, words: CertificateText, qr: CertificateQr): void {
  const qrBottom = drawQr(doc, writer.page, writer, qr);
  const column = PAGE.width - 2 * PAGE.margin - QR_SIZE - 20;
  const muted = (text: string) => writer.write(text, { size: 9.5, color: MUTED, width: column });
  muted("MICRO-CREDENTIAL");
  writer.y -= 4;
  writer.write(words.title, { size: 20, bold: true, width: column, leading: 0.25 });
  writer.y -= 8;
  muted("awarded to");
  if (words.learner === null) muted("(the learner's name is hidden by the holder)");
  else writer.write(words.learner, { size: 16, bold: true, width: column });
  writer.y -= 6;
  muted("by");
  writer.write(words.awardingBody, { size: 13, bold: true, width: column });
  writer.y = Math.min(writer.y, qrBottom);
  writer.rule(10);
  for (const row of words.rows) drawRow(writer, row);
  if (words.hidden.length > 0)
    drawRow(writer, { label: "Hidden by the holder", paragraphs: [words.hidden.join(", ")] });
  drawFooters(writer);
}
