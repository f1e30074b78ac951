// The browser demo end to end: the host code compiled into dist/, the core from build/, served over HTTP from the
// repository root and opened in headless Chromium. The page must run its scenario and draw the pageblock maps
// with no console error, and nothing on its import path may need Node.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolveScenario } from "../host/scenario/resolve.js";
import { browserTest, openBrowser, screenshotPath, type BrowserSession } from "./helpers/chromium.js";
import { serveRoot } from "./helpers/serve-root.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const entry = join(root, "examples/browser/main.js");
const BLOCKS = 128; // 256 MiB / 2 MiB pageblocks

// dist/ is a build product (npm run build:host); build it here so the test never reads a stale one. Type errors
// are the type check's business (npm test runs tsc --noEmit first); tsc emits the files regardless.
const build = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], { encoding: "utf8" });
if (build.status !== 0) process.stderr.write(`note: npm run build:host reported errors; the demo uses what it emitted:\n${build.stdout}`);

/** Every module the page loads, following relative import/export specifiers from main.js. */
function importGraph(from: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (graph.has(file)) return;
    const text = existsSync(file) ? readFileSync(file, "utf8") : "";
    // `import|export ... from "x"` and `import "x"`; tsc has already erased type-only imports
    const specs = [...text.matchAll(/^\s*(?:(?:import|export)\s[^;'"]*?\sfrom\s*|import\s*)["']([^"']+)["']/gm)].map((m) => m[1]!);
    graph.set(file, specs);
    for (const s of specs) if (s.startsWith(".") && !s.endsWith(".json")) visit(join(dirname(file), s));
  };
  visit(from);
  return graph;
}

test("the demo's modules exist and import nothing a browser cannot load (node:*, bare package names)", () => {
  for (const [file, specs] of importGraph(entry)) {
    const where = relative(root, file);
    assert.ok(existsSync(file), `${where} is missing: npm run build:host`);
    for (const s of specs) assert.ok(s.startsWith("./") || s.startsWith("../"), `${where} imports "${s}", which a browser cannot resolve`);
  }
  assert.ok(existsSync(join(root, "build/release.wasm")), "build/release.wasm is missing: npm run build:wasm");
});

test("the demo's hand-written SimConfig is what the scenario parser makes of the scenario it describes", async () => {
  const { demoConfig } = (await import(pathToFileURL(join(root, "examples/browser/config.js")).href)) as { demoConfig: (p: string) => unknown };
  for (const policy of ["nocopy", "legacy-copy"] as const) {
    assert.equal(demoConfig(policy), resolveScenario({
      name: "browser-demo", machine: { memory: "256M" }, policy,
      server: { threads: 2, per_request: { dist: "exponential", mean: "20ms" } },
      workloads: [{ type: "fio", rw: "write", bs: "1M", size: "32M", numjobs: 2 }],
    }, "browser-demo"));
  }
});

browserTest("the demo runs the scenario in Chromium and draws its pageblock maps, with no error", async () => {
  // everything opened is closed in the finally, on failure too: a failed test must never keep the run alive
  const server = await serveRoot();
  let b: BrowserSession | undefined;
  try {
    b = await openBrowser();
    const base = server.base;
    const page = b.page;
    const done = (): Promise<unknown> => page.waitForFunction(() => ["done", "error"].includes(document.documentElement.dataset.state ?? ""), null, { timeout: 60_000 });
    await page.goto(`${base}/examples/browser/index.html`);
    await done();
    assert.equal(b.errors, []);
    assert.is(await page.evaluate(() => document.documentElement.dataset.state), "done");
    const maps = await page.$$eval("svg.pbmap", (svgs) => svgs.map((s) => ({
      cells: s.querySelectorAll("g.cells > use").length,
      drawn: ((s.querySelector("g.cells > use") as SVGGraphicsElement | null)?.getBBox().width ?? 0) > 0,
    })));
    assert.ok(maps.length >= 3, `maps at a few moments (${maps.length})`);
    for (const m of maps) { assert.is(m.cells, BLOCKS, "one cell per pageblock"); assert.ok(m.drawn); }
    const points = await page.$$eval("svg.chart polyline", (ls) => ls.map((l) => (l.getAttribute("points") ?? "").trim().split(/\s+/).length));
    assert.ok(points.length === 3 && points.every((n) => n >= 2), `three charts with lines (${points.join(", ")})`);
    assert.match((await page.locator("#summary").textContent()) ?? "", /^nocopy: 64 MiB written/);
    await page.screenshot({ path: screenshotPath("browser-demo.png"), fullPage: true });
    // A second run in the same page: legacy-copy puts FUSE temp pages in unmovable blocks.
    await page.selectOption("#policy", "legacy-copy");
    await page.click("#run");
    await done();
    assert.ok(await page.locator("svg.pbmap use[href$='mk-temp']").count() > 0, "temp pages marked");
    assert.equal(b.errors, []);
  } finally {
    try { await b?.close(); } finally { await server.close(); }
  }
});

test.run();
