/** A child of {@link el}: a node, text (set as text, never parsed as HTML), or nothing. */
export type Child = Node | string | null | undefined | false;

/**
 * Creates an element with attributes and children. Text always goes in as text nodes: values
 * from a credential can never become markup.
 * @example el("li", { "data-testid": "check" }, "Not revoked")
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

/** The element with `id`, which index.html is known to have, of the given type. */
export function byId<T extends HTMLElement>(id: string, type: abstract new () => T): T {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return node;
}

/** A link for an http(s) URL; any other text stays plain text. */
export function linkOrText(value: string): Node {
  return /^https?:\/\//i.test(value)
    ? el("a", { href: value, rel: "noopener noreferrer", target: "_blank" }, value)
    : document.createTextNode(value);
}
