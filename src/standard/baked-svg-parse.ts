// A minimal, strict reader of SVG markup: enough to find elements by namespace and read their text,
// with comments, CDATA sections and quoted attribute values read as XML reads them, so that markup
// hidden in a comment or a CDATA section is never taken for an element. No DTD, no entities but XML's
// five and character references, no external anything.
import { CredrootError } from "../errors";

/** One element of the document: where its start tag and (for a non-empty one) its end tag lie. */
export interface SvgElement {
  /** The qualified name as written (`openbadges:credential`). */
  name: string;
  /** The namespace URI its prefix (or the default namespace) is bound to, "" for none. */
  namespace: string;
  localName: string;
  attributes: Map<string, string>;
  /** Offsets in the text: the start tag's `<` and the character after its `>`. */
  start: number;
  startTagEnd: number;
  /** The character after the end tag's `>` (the start tag's for an empty element `<x/>`). */
  end: number;
  /** Its character data (text, entity-decoded, and CDATA sections, in order); null when it has child elements. */
  text: string | null;
  depth: number;
}

const MAX_DEPTH = 256;
// Sticky: each is matched at one offset of the whole text, never on a copy of the rest of it.
const NAME = /[A-Za-z_][\w.:-]*/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w.:-]*)\s*=\s*("[^"<]*"|'[^'<]*')/y;
const TAG_CLOSE = /\s*(\/?)>/y;
const END_TAG = /<\/([A-Za-z_][\w.:-]*)\s*>/y;

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

const bad = (message: string) => new CredrootError("INVALID_ARGUMENT", `not a readable SVG: ${message}`);

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&([^;&\s]{0,10});?/g, (whole, name: string) => {
    if (!whole.endsWith(";")) throw bad("a bare & in text");
    const named = ENTITIES[name];
    if (named !== undefined) return named;
    const code = /^#x[0-9a-f]{1,6}$/i.test(name)
      ? parseInt(name.slice(2), 16)
      : /^#[0-9]{1,7}$/.test(name)
        ? parseInt(name.slice(1), 10)
        : NaN;
    if (!Number.isInteger(code) || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
      throw bad(`an entity no SVG reader knows: &${name};`);
    }
    return String.fromCodePoint(code);
  });
}

interface Open {
  element: SvgElement;
  scope: Map<string, string>;
  parts: string[];
  hasChildren: boolean;
}

function namespaceOf(name: string, scope: Map<string, string>, isAttribute = false): [string, string] {
  const colon = name.indexOf(":");
  if (colon < 0) return [isAttribute ? "" : (scope.get("") ?? ""), name];
  const prefix = name.slice(0, colon);
  const uri = prefix === "xml" ? "http://www.w3.org/XML/1998/namespace" : scope.get(prefix);
  if (uri === undefined) throw bad(`the prefix ${prefix}: is not declared`);
  return [uri, name.slice(colon + 1)];
}

/**
 * Every element of an SVG document in document order, checked to be well-formed (one root named
 * `svg`, tags that nest, quoted attributes, each attribute once).
 * @throws CredrootError `INVALID_ARGUMENT` naming the first problem.
 */
export function parseSvg(text: string, maxLength: number): SvgElement[] {
  if (text.length > maxLength) throw bad(`it is larger than ${maxLength} characters`);
  const elements: SvgElement[] = [];
  const stack: Open[] = [];
  let rootSeen = false;
  let at = 0;
  const skip = (close: string, what: string) => {
    const end = text.indexOf(close, at);
    if (end < 0) throw bad(`an unterminated ${what}`);
    const body = text.slice(at, end);
    at = end + close.length;
    return body;
  };
  while (at < text.length) {
    const lt = text.indexOf("<", at);
    const chars = text.slice(at, lt < 0 ? text.length : lt);
    if (chars.trim() !== "") {
      const top = stack.at(-1);
      if (!top) throw bad("text outside the root element");
      top.parts.push(decode(chars));
    }
    if (lt < 0) break;
    at = lt;
    if (text.startsWith("<!--", at)) {
      at += 4;
      skip("-->", "comment");
    } else if (text.startsWith("<![CDATA[", at)) {
      at += 9;
      const body = skip("]]>", "CDATA section");
      const top = stack.at(-1);
      if (!top) throw bad("a CDATA section outside the root element");
      top.parts.push(body);
    } else if (text.startsWith("<?", at)) {
      at += 2;
      skip("?>", "processing instruction");
    } else if (text.startsWith("<!", at)) {
      throw bad("it has a DOCTYPE or another declaration (entities are not read)");
    } else if (text.startsWith("</", at)) {
      const match = matchAt(END_TAG, text, at);
      const top = stack.pop();
      if (!match || !top || top.element.name !== match[1]) throw bad("an end tag that closes no open element");
      at += match[0].length;
      top.element.end = at;
      top.element.text = top.hasChildren ? null : top.parts.join("");
      const parent = stack.at(-1);
      if (parent) parent.hasChildren = true;
    } else {
      const name = matchAt(NAME, text, at + 1)?.[0];
      if (name === undefined) throw bad("a < that starts no tag");
      const start = at;
      at += 1 + name.length;
      const raw = new Map<string, string>();
      for (;;) {
        const attribute = matchAt(ATTRIBUTE, text, at);
        if (!attribute) break;
        const [whole, key, quoted] = attribute as unknown as [string, string, string];
        if (raw.has(key)) throw bad(`the attribute ${key} is given twice`);
        raw.set(key, decode(quoted.slice(1, -1)));
        at += whole.length;
      }
      const close = matchAt(TAG_CLOSE, text, at);
      if (!close) throw bad(`the tag <${name}> is malformed`);
      at += close[0].length;
      const parent = stack.at(-1);
      if (!parent && rootSeen) throw bad("more than one root element");
      if (!parent && name.replace(/^[^:]*:/, "") !== "svg") throw bad("the root element is not <svg>");
      if (stack.length >= MAX_DEPTH) throw bad(`elements nested deeper than ${MAX_DEPTH}`);
      rootSeen = true;
      const scope = new Map(parent?.scope ?? []);
      for (const [key, value] of raw) {
        if (key === "xmlns") scope.set("", value);
        else if (key.startsWith("xmlns:")) scope.set(key.slice(6), value);
      }
      const [namespace, localName] = namespaceOf(name, scope);
      for (const key of raw.keys()) if (!key.startsWith("xmlns")) namespaceOf(key, scope, true);
      const element: SvgElement = {
        name,
        namespace,
        localName,
        attributes: raw,
        start,
        startTagEnd: at,
        end: at,
        text: "",
        depth: stack.length,
      };
      elements.push(element);
      if (parent) parent.hasChildren = true;
      if (close[1] !== "/") stack.push({ element, scope, parts: [], hasChildren: false });
    }
  }
  if (stack.length > 0) throw bad(`the element <${stack.at(-1)!.element.name}> is never closed`);
  if (!rootSeen) throw bad("it has no <svg> element");
  return elements;
}
