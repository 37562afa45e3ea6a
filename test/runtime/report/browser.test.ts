import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../../cli/mtslc.js";
import { buildReport } from "../../../runtime/report/build.js";
import { captureContext, trainTinyRuns } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium)`);

describe.skipIf(!haveChromium)("the report in headless Chromium", () => {
  let runs: { root: string; mtsl: string; stl: string };
  let htmlPath: string;
  let html: string;

  beforeAll(async () => {
    runs = await trainTinyRuns();
    const ctx = captureContext();
    const code = await run(
      [
        "eval",
        runs.mtsl,
        "--baseline",
        runs.stl,
        "--corruptions",
        "--severities",
        "1,3,5",
        "--limit",
        "32",
        "--backend",
        "wasm",
        "-q",
      ],
      ctx,
    );
    expect(code, ctx.err.join("")).toBe(0);
    html = await buildReport(runs.mtsl);
    htmlPath = join(runs.root, "report.html");
    writeFileSync(htmlPath, html);
  }, 120_000);

  afterAll(() => {
    if (runs) rmSync(runs.root, { recursive: true, force: true });
  });

  it("loads with no console errors, no requests and every figure present", async () => {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`failed request: ${r.url()}`));
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(htmlPath).href, { waitUntil: "load" });
      expect(problems).toEqual([]);
      // The only request is the page itself: nothing is fetched at view time.
      expect(requests).toEqual([pathToFileURL(htmlPath).href]);

      const svgs = async (id: string): Promise<number> => page.locator(`section#${id} figure svg`).count();
      // Tiny has 2 tasks with a key metric: loss and accuracy curves each.
      expect(await svgs("curves")).toBe(4);
      // 3 phases (after epochs 1, 2, 3), each comparing one sibling set.
      expect(await svgs("cka")).toBe(3);
      // Revisions 000 (start) and one per merge.
      expect(await svgs("trees")).toBeGreaterThanOrEqual(2);
      expect(await svgs("robustness")).toBe(2);
      expect(await page.locator("section#metrics table").count()).toBe(2);
      expect(await page.locator("section#size table").count()).toBe(1);
      // Every figure drew something with a size.
      const sizes = await page
        .locator("figure svg")
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width * e.getBoundingClientRect().height));
      expect(sizes.every((a) => a > 1000)).toBe(true);
      // Merged instances are highlighted in the trees after the first revision.
      expect(await page.locator('section#trees svg [stroke="#d35400"]').count()).toBeGreaterThan(0);

      // The docs' screenshot is refreshed on request only, so a test run leaves the tree clean.
      const shots =
        process.env["UPDATE_SCREENSHOT"] === "1"
          ? join(import.meta.dirname, "..", "..", "..", "docs", "img")
          : mkdtempSync(join(tmpdir(), "mtsl-report-shot-"));
      mkdirSync(shots, { recursive: true });
      await page.screenshot({ path: join(shots, "report-tiny.png"), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);

  it("is deterministic", async () => {
    const again = await buildReport(runs.mtsl);
    let at = 0;
    while (at < html.length && html[at] === again[at]) at++;
    expect(again === html, `first difference at ${at}: ${again.slice(at - 40, at + 40)}`).toBe(true);
  }, 30_000);
});
