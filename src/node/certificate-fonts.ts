import { readFileSync } from "node:fs";
import type { CertificateFonts } from "../certificate";

let fonts: CertificateFonts | null = null;

/**
 * The Unicode fonts certificates are set in (DejaVu Sans, from the `dejavu-fonts-ttf` package: Latin, Greek,
 * Cyrillic and more), read once. Node only: a browser passes its own font bytes to `certificatePdf`.
 */
export function certificateFonts(): CertificateFonts {
  fonts ??= {
    regular: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
    bold: readFileSync(require.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf")),
  };
  return fonts;
}
