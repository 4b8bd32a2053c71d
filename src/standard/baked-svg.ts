// Open Badges 3.0 baking, SVG: `<openbadges:credential>` right inside the root `<svg>`, the JSON in a
// CDATA section or the JWT in its `verify` attribute, the prefix bound on the root element.
import { CredrootError } from "../errors";
import { MAX_BADGE_IMAGE } from "./baked-sniff";

export { looksLikeSvg } from "./baked-sniff";
import { parseSvg, type SvgElement } from "./baked-svg-parse";

/** The namespace of OB 3.0's SVG baking element (`xmlns:openbadges` on the root). */
export const OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0";
/** OB 2.0's, to tell an old badge from a plain image. */
const OB2_SVG_NAMESPACE = "http://openbadges.org";

const notBaked = (message: string) => new CredrootError("INVALID_ARGUMENT", `not a baked badge: ${message}`);

/** The credential element(s) of the document: local name `credential` in the OB 3.0 namespace, whatever the prefix. */
const credentialElements = (elements: SvgElement[]) =>
  elements.filter((e) => e.namespace === OB3_SVG_NAMESPACE && e.localName === "credential");

/**
 * The credential baked into an SVG: the text of its one `<openbadges:credential>` element (the
 * JSON, from a CDATA section or text) or, when the element is empty, its `verify` attribute (the
 * JWT). The markup is parsed, not searched: an element inside a comment or a CDATA section is text.
 * @throws CredrootError `INVALID_ARGUMENT` when the SVG cannot be read, has no credential element,
 * has two, or one with both a `verify` attribute and content, or child elements.
 */
export function extractSvgCredential(text: string): { format: "json" | "jwt"; text: string } {
  const elements = parseSvg(text, MAX_BADGE_IMAGE);
  const found = credentialElements(elements);
  if (found.length > 1) throw notBaked(`the SVG holds ${found.length} credential elements; Open Badges 3.0 allows one`);
  const element = found[0];
  if (element === undefined) {
    const old = elements.some((e) => e.namespace === OB2_SVG_NAMESPACE && e.localName === "assertion");
    throw notBaked(
      old
        ? "this is an Open Badges 2.0 badge (<openbadges:assertion>); credroot reads Open Badges 3.0 credentials"
        : "the SVG holds no <openbadges:credential> element",
    );
  }
  if (element.text === null) throw notBaked("the credential element holds other elements");
  const content = element.text.trim();
  const verify = element.attributes.get("verify");
  if (verify !== undefined && content !== "") {
    throw notBaked("the credential element has both a verify attribute and content: which one is the credential?");
  }
  if (verify !== undefined) return { format: "jwt", text: verify.trim() };
  if (content === "") throw notBaked("the credential element is empty");
  return { format: content.startsWith("{") ? "json" : "jwt", text: content };
}

/** The JSON in one CDATA section: a `]]>` inside it (in a string) is split across two sections. */
const cdata = (json: string) => `<![CDATA[${json.replace(/]]>/g, "]]]]><![CDATA[>")}]]>`;

const escapeAttribute = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * The SVG with the credential baked in as OB 3.0 specifies: `xmlns:openbadges` declared on the root,
 * and one `<openbadges:credential>` as its first child, holding the JSON (`format: "json"`, in
 * CDATA) or the JWT (`format: "jwt"`, in `verify`); a credential element the image had is removed.
 * @throws CredrootError `INVALID_ARGUMENT` when the SVG cannot be read, is an empty `<svg/>`, or binds
 * the `openbadges` prefix to another namespace.
 * @example
 * const badge = bakeSvg(svgText, { format: "json", text: JSON.stringify(signed) });
 */
export function bakeSvg(svg: string, credential: { format: "json" | "jwt"; text: string }): string {
  const elements = parseSvg(svg, MAX_BADGE_IMAGE);
  const root = elements[0]!;
  if (svg.slice(root.start, root.startTagEnd).endsWith("/>")) {
    throw new CredrootError("INVALID_ARGUMENT", "cannot bake an empty <svg/>: it draws nothing");
  }
  const bound = root.attributes.get("xmlns:openbadges");
  if (bound !== undefined && bound !== OB3_SVG_NAMESPACE) {
    throw new CredrootError("INVALID_ARGUMENT", `the SVG binds the openbadges prefix to ${bound}, not OB 3.0's`);
  }
  const element =
    credential.format === "json"
      ? `<openbadges:credential>${cdata(credential.text)}</openbadges:credential>`
      : `<openbadges:credential verify="${escapeAttribute(credential.text)}"></openbadges:credential>`;
  // Cut the old credential elements out, last first so the earlier offsets still hold.
  let body = svg;
  for (const old of credentialElements(elements).reverse()) body = body.slice(0, old.start) + body.slice(old.end);
  const openEnd = root.startTagEnd;
  const tag = body.slice(root.start, openEnd);
  const declared = bound === undefined ? ` xmlns:openbadges="${OB3_SVG_NAMESPACE}"` : "";
  const newTag = tag.replace(/\s*>$/, `${declared}>`);
  return body.slice(0, root.start) + newTag + element + body.slice(openEnd);
}
