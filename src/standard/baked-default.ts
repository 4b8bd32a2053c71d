// The badge image used when an issuer has none of its own: generated, with nothing fetched or drawn
// by a canvas. The SVG names the achievement and the issuer; the PNG is a plain medal.
import { zlibSync } from "fflate";
import encodeChunks from "png-chunks-encode";

export interface DefaultBadgeParameters {
  /** The achievement's title, as the credential shows it. */
  title: string;
  /** The awarding body, as the registry records it. */
  issuerName: string;
}

/** A character XML 1.0 can carry (no controls but tab and newlines, no lone surrogates, no U+FFFE/FFFF). */
function isXmlChar(char: string): boolean {
  const c = char.codePointAt(0)!;
  return c === 9 || c === 10 || c === 13 || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
}

/** Text as XML character data: markup characters escaped, characters XML cannot carry dropped. */
const escapeXml = (text: string) =>
  Array.from(text)
    .filter(isXmlChar)
    .join("")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * A 256×256 SVG medal with the achievement's title and the issuer's name, both escaped (a title is
 * text a registrar typed, never markup). Bake a credential into it with `bakeSvg`.
 * @example
 * const svg = defaultBadgeSvg({ title: "Data Analysis", issuerName: "University of Tartu" });
 */
export function defaultBadgeSvg({ title, issuerName }: DefaultBadgeParameters): string {
  const name = escapeXml(clip(title, 40));
  const by = escapeXml(clip(issuerName, 48));
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" ` +
    `aria-label="${name} — ${by}">` +
    `<title>${name} — ${by}</title>` +
    `<circle cx="128" cy="128" r="120" fill="#1f4e79"/>` +
    `<circle cx="128" cy="128" r="104" fill="none" stroke="#f2c94c" stroke-width="6"/>` +
    `<text x="128" y="122" text-anchor="middle" font-family="sans-serif" font-size="18" fill="#ffffff">${name}</text>` +
    `<text x="128" y="152" text-anchor="middle" font-family="sans-serif" font-size="11" fill="#dce6f0">${by}</text>` +
    `</svg>`
  );
}

const SIZE = 128;

/** Big-endian bytes of a 32-bit number. */
const u32 = (n: number) => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];

/**
 * A 128×128 PNG medal (RGBA: a blue disc with a gold ring on a transparent ground), encoded here
 * (scanlines with filter 0, deflated with fflate) so that no image library or canvas is needed.
 * Bake a credential into it with `bakePng`.
 */
export function defaultBadgePng(): Uint8Array {
  const rows = new Uint8Array(SIZE * (1 + SIZE * 4));
  const centre = (SIZE - 1) / 2;
  for (let y = 0; y < SIZE; y++) {
    const row = y * (1 + SIZE * 4);
    for (let x = 0; x < SIZE; x++) {
      const r = Math.hypot(x - centre, y - centre) / (SIZE / 2);
      const colour = r > 1 ? [0, 0, 0, 0] : r > 0.84 && r < 0.9 ? [242, 201, 76, 255] : [31, 78, 121, 255];
      rows.set(colour, row + 1 + x * 4);
    }
  }
  const header = new Uint8Array([...u32(SIZE), ...u32(SIZE), 8, 6, 0, 0, 0]);
  return encodeChunks([
    { name: "IHDR", data: header },
    { name: "IDAT", data: zlibSync(rows, { level: 9 }) },
    { name: "IEND", data: new Uint8Array(0) },
  ]);
}
