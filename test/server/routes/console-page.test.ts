import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildWeb, CONSOLE_FILES } from "../../../server/web/build";
import { type ServiceFixture, startService } from "../../support/service";

// Issue 14, point 1: the issuer console is a page of the service, under the verifier page's CSP.
describe("GET /console", () => {
  let fx: ServiceFixture;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "credroot-console-page-"));
    await buildWeb({ outDir: join(root, "dist") });
    // A build of before the console: the service rebuilds it rather than serve no console.
    cpSync(join(root, "dist"), join(root, "old"), { recursive: true });
    for (const file of CONSOLE_FILES) rmSync(join(root, "old", file));
    fx = await startService({ worker: false, webDir: join(root, "old") });
  });
  afterAll(async () => {
    await fx.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("serves the page, which loads its script from this origin only and inlines none", async () => {
    const res = await fx.app.inject({ url: "/console" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(res.body).toContain('<script type="module" src="/console.js"></script>');
    expect(res.body.match(/<script/g)).toHaveLength(1);
    expect(res.body).not.toMatch(/ on[a-z]+="/); // no inline event handlers
  });

  it("serves its script and style, rebuilt into a build that lacked them", async () => {
    const js = await fx.app.inject({ url: "/console.js" });
    expect(js.statusCode).toBe(200);
    expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(js.body).toContain("/v1/batches/validate");
    const css = await fx.app.inject({ url: "/console.css" });
    expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    // One self-contained bundle (not in the verifier's chunks); the verifier page is still there.
    expect(js.body).not.toMatch(/chunks\//);
    expect((await fx.app.inject({ url: "/" })).statusCode).toBe(200);
  });
});
