// The HTML report end to end: two runs of a small machine (legacy copy and copy-free) with their maps and
// charts, and a decision table, written to a file and opened in headless Chromium from file://. The page must
// draw one cell per pageblock in every map, a line per run in every chart, fetch nothing, and log no error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { resolveScenario } from "../host/scenario/resolve.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { captureRun } from "../host/report/snapshots.js";
import { renderHtmlReport } from "../host/report/html.js";
import { renderPageblockMap, blocksPerCell } from "../host/report/pageblock-map.js";
import { metricSeries, throughputSeries } from "../host/report/series.js";
import type { PageblockCensus } from "../host/sim/simulator.js";
import { PageblockTable } from "../host/sim/pageblock-table.js";
import { browserTest, openBrowser, screenshotPath, type BrowserSession } from "./helpers/chromium.js";

const module = coreModuleSync("release");

// 256 MiB is 65536 pages, 128 pageblocks of 512 pages. A server at ~200 us a request keeps pages in flight
// (temp pages for legacy-copy, folios under writeback for nocopy) long enough for the maps to show them.
const BLOCKS = 256 * 256 / 512;
const runs = (["legacy-copy", "nocopy"] as const).map((policy) => captureRun(resolveScenario({
  name: "e2e-report", machine: { memory: "256M" }, policy,
  server: { threads: 2, per_request: { dist: "exponential", mean: "200us" } },
  workloads: [{ type: "fio", rw: "write", bs: "1M", size: "32M", numjobs: 2 }],
}, "e2e-report"), { module, timing: false }));

test("every run has maps at a few moments and enough samples to chart", () => {
  for (const r of runs) {
    // 25/50/75% written, writers done and end; two moments may fall in one batch, so at least three.
    assert.ok(r.snapshots.length >= 3, `${r.report.policy}: ${r.snapshots.length} maps`);
    assert.ok(r.snapshots.at(-1)!.label.startsWith("end"));
    for (const s of r.snapshots) assert.is(s.blocks.length, BLOCKS);
    assert.ok((r.report.samples?.length ?? 0) >= 50, "a short run is sampled again, finer");
  }
});

test("a 1 TiB machine's map groups pageblocks so the SVG stays under 2 MB", () => {
  const blocks = 2 ** 28 / 512; // 2^28 pages, DESIGN.md's largest machine and the core's
  const census: PageblockCensus[] = Array.from({ length: blocks }, (_, b) => ({
    mt: b % 7 === 0 ? 0 : 1, free: b % 3 === 0 ? 512 : 100, writeback: b % 11 === 0 ? 5 : 0, temp: 0, spliced: 0, unmovable: 0, movable: 412, dirty: 0,
  }));
  assert.is(blocksPerCell(blocks), 64); // 524288 blocks / 8192 cells
  const svg = renderPageblockMap(PageblockTable.fromCensus(census));
  assert.is((svg.match(/<use href="#s\d+-pb/g) ?? []).length, 8192);
  assert.ok(svg.length < 2e6, `${svg.length} bytes`);
});

test("throughput is the bytes_written delta over the time delta; unknown sample columns get charts too", () => {
  // 1 MiB at t = 0.1 s, 3 MiB at 0.2 s: 2 MiB in 0.1 s is 20 MiB/s over the second interval
  const samples = [
    { t_ns: 0, bytes_written: 0, nr_dirty: 0, thp_success_pct: 100 },
    { t_ns: 1e8, bytes_written: 2 ** 20, nr_dirty: 5, thp_success_pct: 90 },
    { t_ns: 2e8, bytes_written: 3 * 2 ** 20, nr_dirty: 7, thp_success_pct: 80 },
  ];
  assert.equal(throughputSeries(samples, 1), [[0.1, 10], [0.2, 20]]);
  assert.equal(throughputSeries(samples, 2), [[0.1, 10], [0.2, 15]]); // 3 MiB over 0.2 s
  const keys = metricSeries([...samples.map((r) => ({ ...r, future_column: 1 }))]).map((m) => m.key);
  assert.equal(keys, ["throughput", "nr_dirty", "thp_success_pct", "future_column"]);
});

browserTest("the report renders its maps, charts and decision table in Chromium, with no error and no fetch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "fusewb-report-"));
  const file = join(dir, "report.html");
  const decisionTable = {
    columns: ["policy", "server", "MiB/s", "peak temp"],
    rows: runs.map((r) => [r.report.policy, r.report.server, Math.round(r.report.modelled.throughputMiBps), r.report.modelled.peakTempPages]),
  };
  writeFileSync(file, renderHtmlReport({ runs, decisionTable }));
  let b: BrowserSession | undefined;
  try {
    b = await openBrowser();
    const fetched: string[] = [];
    await b.page.route("**/*", (route) => {
      if (!route.request().url().startsWith("file:")) fetched.push(route.request().url());
      return route.continue();
    });
    await b.page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    const maps = await b.page.$$eval("svg.pbmap", (svgs) => svgs.map((s) => ({
      cells: s.querySelectorAll("g.cells > use").length,
      blocks: Number(s.getAttribute("data-blocks")),
      // a <use> whose symbol did not resolve has an empty box: this checks the cells are drawn, not just present
      firstCellWidth: (s.querySelector("g.cells > use") as SVGGraphicsElement | null)?.getBBox().width ?? 0,
      width: s.getBoundingClientRect().width,
    })));
    const expectedMaps = runs.reduce((n, r) => n + r.snapshots.length, 0);
    assert.is(maps.length, expectedMaps);
    for (const m of maps) {
      assert.is(m.cells, BLOCKS, "one cell per pageblock");
      assert.is(m.blocks, BLOCKS);
      assert.ok(m.firstCellWidth > 0 && m.width > 0, "cells are drawn");
    }
    const charts = await b.page.$$eval("svg.chart", (svgs) => svgs.map((s) => ({
      title: s.getAttribute("aria-label") ?? "",
      lines: Array.from(s.querySelectorAll("polyline")).map((p) => (p.getAttribute("points") ?? "").trim().split(/\s+/).filter(Boolean).length),
    })));
    const titles = charts.map((c) => c.title);
    for (const want of ["Modelled write throughput", "nr_dirty", "nr_writeback", "nr_writeback_temp", "Free high-order"])
      assert.ok(titles.some((t) => t.startsWith(want)), `a chart of ${want} (have: ${titles.join("; ")})`);
    for (const c of charts) {
      assert.is(c.lines.length, runs.length, `${c.title}: one line per run`);
      for (const n of c.lines) assert.ok(n >= 2, `${c.title}: a line of ${n} points`);
    }
    assert.is(await b.page.locator("table").nth(1).locator("tbody tr").count(), runs.length, "decision table rows");
    assert.ok(await b.page.locator("svg.pblegend").isVisible(), "legend");
    // Hover text comes from the inline script and the map's data-cells.
    const cell = b.page.locator("svg.pbmap g.cells > use").first();
    await cell.hover();
    assert.match((await b.page.locator(".pbtip").textContent()) ?? "", /^pfn 0x0-0x1ff \((Movable|Unmovable)\)/);
    await b.page.mouse.move(0, 0);
    assert.equal(fetched, [], "the report is self-contained");
    assert.equal(b.errors, []);
    await b.page.screenshot({ path: screenshotPath("report-screenshot.png"), fullPage: true });
  } finally {
    try { await b?.close(); } finally { rmSync(dir, { recursive: true, force: true }); }
  }
});

test.run();
