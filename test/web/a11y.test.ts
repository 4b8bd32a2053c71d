import { join } from "node:path";
import type { Page } from "playwright-core";
import { Wallet } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { seriousViolations, WIDTHS } from "../support/axe";
import { openPage, verdictOf } from "../support/browser";
import { browser, foundation, fx, paste, revoked, site, useVerifierPage } from "./verifier-fixture";

/* Accessibility of the verifier page and the issuers page: axe-core, and the keyboard alone. */

/** What the keyboard should reach, in order, and what it did reach, each focus checked for a visible indicator. */
interface TabWalk {
  controls: string[];
  reached: string[];
  /** Controls whose focus showed no outline or shadow (on themselves, or on their label when they are hidden). */
  unseen: string[];
}

/**
 * Presses Tab from the top of the page until focus leaves the page's last control, recording
 * each control focused; `controls` are the page's focusable, rendered controls in document order.
 */
async function tabWalk(page: Page): Promise<TabWalk> {
  const controls = await page.evaluate(() => {
    const name = (e: Element) =>
      `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ""}${e.getAttribute("data-testid") ? `[${e.getAttribute("data-testid")}]` : ""}${e.tagName === "A" ? `(${e.textContent})` : ""}`;
    (window as unknown as { controlName: typeof name }).controlName = name;
    const selector =
      'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), textarea, select, summary, [tabindex]:not([tabindex="-1"])';
    return (
      Array.from(document.querySelectorAll(selector))
        // checkVisibility: not inside a closed <details> (content-visibility), nor display: none.
        .filter((e) => e.checkVisibility())
        .map(name)
    );
  });
  // Start on the page's first control, focused as Tab from the address bar would focus it.
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.mouse.click(1, 1);
  const reached: string[] = [];
  const unseen: string[] = [];
  for (let i = 0; i < controls.length + 1; i++) {
    await page.keyboard.press("Tab");
    const seen = await page.evaluate(() => {
      const e = document.activeElement;
      if (e === null || e === document.body) return null;
      const shows = (x: Element) => {
        const s = getComputedStyle(x);
        return (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none";
      };
      // Visually hidden (a file input behind its label): clipped or a pixel wide, its own ring cannot be seen.
      const box = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      const hidden =
        box.width <= 1 ||
        box.height <= 1 ||
        style.getPropertyValue("clip").startsWith("rect") ||
        style.clipPath !== "none";
      const labels = Array.from((e as HTMLInputElement).labels ?? []);
      const visible = hidden ? labels.some(shows) : shows(e);
      return { name: (window as unknown as { controlName: (e: Element) => string }).controlName(e), visible };
    });
    if (seen === null || reached.includes(seen.name)) break;
    reached.push(seen.name);
    if (!seen.visible) unseen.push(seen.name);
  }
  return { controls, reached, unseen };
}

async function expectAccessible(page: Page, label: string): Promise<void> {
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    expect(await seriousViolations(page), `${label} at ${width} px`).toEqual([]);
    await page.screenshot({ path: join("test-results", `a11y-${label}-${width}.png`), fullPage: true });
  }
  const walk = await tabWalk(page);
  expect(walk.controls.length).toBeGreaterThan(2);
  expect(walk.reached.join("\n"), `${label}: Tab order`).toBe(walk.controls.join("\n"));
  expect(walk.unseen, `${label}: focus without a visible indicator`).toEqual([]);
  // The settings open from the keyboard (Enter on their summary), and then every field is reached too.
  await page.locator("#settings > summary").focus();
  await page.keyboard.press("Enter");
  expect(await page.locator("#settings").getAttribute("open")).not.toBeNull();
  expect(await seriousViolations(page), `${label} with its settings open`).toEqual([]);
  const opened = await tabWalk(page);
  expect(opened.controls).toEqual(
    expect.arrayContaining(["button[settings-save]", "button#settings-reset[settings-reset]"]),
  );
  expect(opened.reached.join("\n"), `${label}: Tab order, settings open`).toBe(opened.controls.join("\n"));
  expect(opened.unseen, `${label}: focus without a visible indicator, settings open`).toEqual([]);
}

describe("accessibility (axe-core, keyboard) at 390 and 1280 px", () => {
  useVerifierPage();

  beforeAll(async () => {
    // The issuers page with more than one issuer, one deactivated.
    const second = await fx.accreditor.registerIssuer(
      "Hogeschool Twee",
      "https://hs2.test",
      Wallet.createRandom().address,
    );
    await fx.accreditor.setIssuerActive(second.issuerId, false);
  });

  it("the verifier page before anything is checked", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await expectAccessible(page, "verifier-empty");
    await page.close();
  });

  it("the verifier page with a valid verdict shown", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(foundation));
    expect((await verdictOf(page)).code).toBe("valid");
    await expectAccessible(page, "verifier-valid");
    await page.close();
  });

  it("the verifier page with a revoked verdict shown", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(revoked));
    expect((await verdictOf(page)).code).toBe("revoked");
    await expectAccessible(page, "verifier-revoked");
    await page.close();
  });

  it("the issuers page", async () => {
    const { page } = await openPage(browser.context, `${site}/issuers`);
    expect(await page.locator("[data-testid=issuer]").count()).toBe(2);
    await expectAccessible(page, "issuers");
    await page.close();
  });
});
