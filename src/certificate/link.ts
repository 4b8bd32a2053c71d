import QRCode from "qrcode";
import type { Bundle } from "../bundle";
import { toBase64url } from "../encoding";
import { CredrootError } from "../errors";

/** What a certificate's QR code carries, and the code itself. */
export interface CertificateQr {
  /** The text the QR code encodes: a link to a verifier page. */
  text: string;
  /** `bundle`: the whole (disclosed) bundle rides in the link's `#b=` fragment; `share-link`: the service's link. */
  carries: "bundle" | "share-link";
  /** The QR code's error correction level. */
  level: "M" | "L";
  /** Dark modules, row by row: `modules[row][column]`. */
  modules: boolean[][];
}

/** Where a certificate's QR code may lead. */
export interface CertificateLinkOptions {
  /** The web verifier page (e.g. `https://credentials.example.edu/`): the QR code opens it with the bundle in the link. */
  verifierUrl: string;
  /** Used when the bundle is too large for a QR code: the share link (`…/v/<id>?hide=…`) of the issuer's service. */
  shareUrl?: string;
}

function httpUrl(value: string, what: string): URL {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // reported below
  }
  if (url === null || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw new CredrootError("INVALID_ARGUMENT", `${what} must be an http(s) URL, not "${value}"`);
  }
  return url;
}

/**
 * base64url of the deflate-raw compressed JSON of `bundle`: what the web verifier page reads after `#b=`
 * (`decodeFragment` in web/src/input.ts), the same as its own "copy a share link" button writes.
 */
export async function bundleFragment(bundle: Bundle): Promise<string> {
  const stream = new Blob([JSON.stringify(bundle)]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return toBase64url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/**
 * A link that opens the verifier page at `verifierUrl` with `bundle` itself in its fragment: the page verifies it
 * against the chain, and the fragment never reaches any server.
 * @example await bundleLink(bundle, "https://credentials.example.edu/") // "https://credentials.example.edu/#b=…"
 */
export async function bundleLink(bundle: Bundle, verifierUrl: string): Promise<string> {
  const url = httpUrl(verifierUrl, "the verifier page's URL");
  url.hash = `b=${await bundleFragment(bundle)}`;
  return url.href;
}

/** The QR code of `text`: error correction M, or L when M cannot hold it; null when no QR code can. */
function qrOf(text: string): Pick<CertificateQr, "level" | "modules"> | null {
  for (const level of ["M", "L"] as const) {
    let code: QRCode.QRCode;
    try {
      code = QRCode.create(text, { errorCorrectionLevel: level });
    } catch {
      continue; // too long for this level
    }
    const { size } = code.modules;
    const modules = Array.from({ length: size }, (_, row) =>
      Array.from({ length: size }, (_, column) => Boolean(code.modules.get(row, column))),
    );
    return { level, modules };
  }
  return null;
}

/**
 * The QR code of a certificate: a link carrying the whole bundle (as given: a disclosed copy keeps its hidden
 * fields hidden) when it fits in a QR code, else the share link.
 * @throws CredrootError `INVALID_ARGUMENT` when the bundle does not fit and no share link (or one too long) is given.
 */
export async function certificateQr(bundle: Bundle, options: CertificateLinkOptions): Promise<CertificateQr> {
  const link = await bundleLink(bundle, options.verifierUrl);
  const carried = qrOf(link);
  if (carried) return { text: link, carries: "bundle", ...carried };
  if (options.shareUrl === undefined) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `the bundle is too large for a QR code (a ${link.length}-character link): give its share link to put in the QR code instead, or hide some fields`,
    );
  }
  const share = httpUrl(options.shareUrl, "the share link").href;
  const shared = qrOf(share);
  if (!shared)
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `the share link is too long for a QR code (${share.length} characters)`,
    );
  return { text: share, carries: "share-link", ...shared };
}
