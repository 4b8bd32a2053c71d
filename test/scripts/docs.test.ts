import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// The README and docs/ describe the code; these tests catch the ways they silently stop doing so: a link
// to a page or heading that is gone, a file named in the text that was moved, a page nobody links to.
const ROOT = resolve(__dirname, "../..");
const DOCS = readdirSync(join(ROOT, "docs"))
  .filter((name) => name.endsWith(".md"))
  .map((name) => `docs/${name}`);
const PAGES = ["README.md", "SECURITY.md", "CONTRIBUTING.md", "CHANGELOG.md", ...DOCS];
const read = (page: string) => readFileSync(join(ROOT, page), "utf8");

/** The text outside fenced code blocks. */
function prose(text: string): string {
  let fenced = false;
  return text
    .split("\n")
    .filter((line) => {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      else if (!fenced) return true;
      return false;
    })
    .join("\n");
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

const anchorsOf = (page: string) =>
  new Set([...prose(read(page)).matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]!)));

/** Relative links `[text](target)` of a page, as [target file from the root, anchor]. */
function linksOf(page: string): { target: string; anchor: string | null; raw: string }[] {
  return [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((raw) => !/^[a-z]+:/.test(raw))
    .map((raw) => {
      const [path, anchor] = raw.split("#", 2) as [string, string | undefined];
      const target = path === "" ? page : relative(ROOT, join(ROOT, dirname(page), path));
      return { target, anchor: anchor ?? null, raw };
    });
}

/** Repository paths named in inline code (`server/config.ts`, `test/faults/`), placeholders left out. */
function pathsOf(page: string): string[] {
  const rooms = "src|cli|server|deploy|harness|web/src|bench|scripts|test|contracts|examples|docs|bin";
  const pattern = new RegExp(`\`((?:${rooms})/[\\w./-]*)\``, "g");
  return [...prose(read(page)).matchAll(pattern)].map((m) => m[1]!);
}

describe("the README and docs/", () => {
  it.each(PAGES)("%s links only to files and headings that exist", (page) => {
    const broken = linksOf(page).filter(({ target, anchor }) => {
      if (!existsSync(join(ROOT, target))) return true;
      return anchor !== null && target.endsWith(".md") && !anchorsOf(target).has(anchor);
    });
    expect(broken.map((link) => link.raw)).toEqual([]);
  });

  // The CHANGELOG names old paths on purpose: it says where things moved from.
  it.each(PAGES.filter((page) => page !== "CHANGELOG.md"))("%s names only files that exist", (page) => {
    expect(pathsOf(page).filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });

  it("the README links every page of docs/", () => {
    const linked = new Set(linksOf("README.md").map((link) => link.target));
    expect(DOCS.filter((page) => !linked.has(page))).toEqual([]);
  });

  it("the README gives the two commands, and CI runs its test command", () => {
    const readme = read("README.md");
    expect(readme).toContain("npm ci && npm start  ");
    const test = "./scripts/test-deps.sh && npm ci && npm test";
    expect(readme).toContain(`${test}  #`);
    expect(read(".ci/run").trim().split("\n").at(-1)).toBe(test);
  });
});

describe("the link checker", () => {
  it("makes GitHub's anchors", () => {
    expect(slug("5. Verification")).toBe("5-verification");
    expect(slug('What "valid" means')).toBe("what-valid-means");
    expect(slug("Gas (measured by `npx vitest run test/contracts`, cancun)")).toBe(
      "gas-measured-by-npx-vitest-run-testcontracts-cancun",
    );
  });

  it("sees the paths and links it checks", () => {
    expect(pathsOf("docs/configuration.md")).toContain("server/config-schema.ts");
    expect(linksOf("README.md").map((link) => link.target)).toContain("docs/format.md");
  });
});
