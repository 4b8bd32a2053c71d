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
  const label = escapeXml(clip(`${title} — ${issuerName}`, 300));
  const lines = wrap(title, 22, 3);
  const top = 128 - lines.length * 11;
  const text = lines.map((line, i) => `<tspan x="128" y="${top + i * 22}">${escapeXml(line)}</tspan>`).join("");
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img" ` +
    `aria-label="${label}"><title>${label}</title>` +
    `<circle cx="128" cy="128" r="120" fill="#1f4e79"/>` +
    `<circle cx="128" cy="128" r="104" fill="none" stroke="#f2c94c" stroke-width="6"/>` +
    `<text text-anchor="middle" font-family="sans-serif" font-size="17" fill="#ffffff">${text}</text>` +
    `<text x="128" y="${top + lines.length * 22 + 8}" text-anchor="middle" font-family="sans-serif" font-size="11" ` +
    `fill="#dce6f0">${escapeXml(clip(issuerName, 40))}</text>` +
    `</svg>`
  );
}

/** `text` in at most `count` lines of about `width` characters, broken between words; the last one clipped. */
function wrap(text: string, width: number, count: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  const shown = lines.slice(0, count).map((line) => clip(line, width + 4));
  if (lines.length > count) shown[count - 1] = clip(`${shown[count - 1]} ${lines[count]}`, width);
  return shown.length > 0 ? shown : [""];
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
