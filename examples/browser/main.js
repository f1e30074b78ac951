// The WASM core in a browser, no bundler: fetch build/release.wasm, run a small scenario with the host code
// compiled into dist/ (npm run build:host), and draw its pageblock maps. Serve the repository root with any
// static server (npx http-server, python3 -m http.server) and open /examples/browser/. The modules imported here
// pull in no Node module: dist/core/load-node.js (node:fs) is the only loader that does, and it is not used.
import { captureRun } from "../../dist/report/snapshots.js";
import { renderPageblockMap, renderPageblockLegend, countPageblocks } from "../../dist/report/pageblock-map.js";
import { renderLineChart, RUN_COLOURS } from "../../dist/report/charts.js";
import { metricSeries } from "../../dist/report/series.js";
import { demoConfig } from "./config.js";

const $ = (id) => document.getElementById(id);

/** Compiled once; each run instantiates its own machine from it. */
async function loadCore() {
  const response = await fetch(new URL("../../build/release.wasm", import.meta.url));
  if (!response.ok) throw new Error(`build/release.wasm: HTTP ${response.status}; run npm run build:wasm`);
  // compile() rather than compileStreaming(): it works whatever MIME type the static server sends.
  return WebAssembly.compile(await response.arrayBuffer());
}

function show(run, wallMs) {
  const r = run.report;
  $("summary").textContent = `${r.policy}: ${(r.modelled.bytesWritten / 2 ** 20).toFixed(0)} MiB written at ` +
    `${r.modelled.throughputMiBps.toFixed(0)} MiB/s (modelled); peak temp pages ${r.modelled.peakTempPages}, ` +
    `peak nr_writeback ${r.modelled.peakNrWriteback}; ${run.snapshots.at(-1).blocks.length} pageblocks; ` +
    `${wallMs.toFixed(0)} ms in this browser.`;
  $("legend").innerHTML = renderPageblockLegend();
  $("maps").innerHTML = run.snapshots.map((s) => {
    const c = countPageblocks(s.blocks);
    return `<figure>${renderPageblockMap(s.blocks, { zones: run.zones, title: s.label })}<figcaption>${s.label}: ` +
      `pageblocks with pages under writeback ${c.writeback}, with temp pages ${c.temp}</figcaption></figure>`;
  }).join("");
  const series = metricSeries(r.samples ?? []);
  $("charts").innerHTML = ["nr_dirty", "nr_writeback", "nr_writeback_temp"].map((key, i) => {
    const m = series.find((s) => s.key === key);
    return renderLineChart({ title: m?.title ?? key, xLabel: "virtual time, s", yLabel: "pages", width: 380, height: 200,
      series: m ? [{ name: key, colour: RUN_COLOURS[i], points: m.points }] : [] });
  }).join("");
}

async function main() {
  const state = document.documentElement.dataset;
  try {
    $("status").textContent = "loading the core…";
    const module = await loadCore();
    const run = () => {
      state.state = "running";
      const t0 = performance.now();
      const captured = captureRun(demoConfig($("policy").value), { module, timing: false });
      show(captured, performance.now() - t0);
      $("status").textContent = "";
      state.state = "done"; // the end-to-end test waits for this
    };
    $("run").addEventListener("click", run);
    run();
  } catch (e) {
    $("status").textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
    state.state = "error";
    throw e;
  }
}

main();
