import { readFileSync } from "node:fs";
import type { AxeResults, Result } from "axe-core";
import type { Page } from "playwright-core";

/** axe-core's script, read once from node_modules: nothing is downloaded. */
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** The widths every page is checked at: a phone and a laptop. */
export const WIDTHS = [390, 1280] as const;

/** One violation as a test prints it: the rule, its impact and where. */
export interface A11yProblem {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

function problem(result: Result): A11yProblem {
  return {
    rule: result.id,
    impact: result.impact ?? "unknown",
    help: result.help,
    targets: result.nodes.map((node) => node.target.join(" ")),
  };
}

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on `page` as it is now and returns the violations of
 * impact `serious` or `critical`. The script is evaluated through the DevTools protocol, so the
 * page's Content-Security-Policy stays as served.
 * @example
 * expect(await seriousViolations(page)).toEqual([]);
 */
export async function seriousViolations(page: Page): Promise<A11yProblem[]> {
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } })
      .axe;
    return axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } });
  });
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(problem);
}
