// The HTML report: one self-contained file (inline CSS, SVG and a few lines of script; no external URL) with a
// summary of each run, the decision table of a `compare`, time series (one chart per counter, one line per run)
// and the pageblock maps of each run at a few moments. A string in, a string out: no Node import.
import { formatWritersDone, type RunReport } from "../sim/report.js";
import { migratetype_names, pageblock_nr_pages } from "../core/constants.js";
import { countPageblocks, renderPageblockLegend, renderPageblockMap, blocksPerCell, type ZoneStart } from "./pageblock-map.js";
import { renderLineChart, RUN_COLOURS, type ChartSeries } from "./charts.js";
import { metricSeries, type MetricSeries } from "./series.js";
import type { PageblockSnapshot } from "./snapshots.js";
import { MAP_TOOLTIP_SCRIPT } from "./map-tooltip.js";
import { esc } from "./xml.js";

/** The shape `fusewb compare` hands over: the column names, then one row per run. */
export interface DecisionTable {
  columns: string[];
  rows: (string | number)[][];
}

export interface HtmlReportRun {
  /** Built with samples (captureRun does); without them the run has no lines in the charts. */
  report: RunReport;
  snapshots: PageblockSnapshot[];
  zones?: ZoneStart[];
  /** Defaults to "policy / server". */
  label?: string;
}

export interface HtmlReportInput {
  title?: string;
  runs: HtmlReportRun[];
  decisionTable?: DecisionTable;
}

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;color:#222;margin:24px auto;max-width:1240px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}h3{font-size:15px;margin:18px 0 6px}
.sub{color:#666;margin:0 0 12px}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}
.charts{display:flex;flex-wrap:wrap;gap:8px}.charts svg{border:1px solid #eee}
.maps{display:flex;flex-wrap:wrap;gap:16px 24px}figure{margin:0;width:min-content}figcaption{font-size:12px;color:#444;min-width:360px}
.note{font-size:12px;color:#666}
.pbtip{position:fixed;z-index:9;background:#222;color:#fff;font:12px/1.4 ui-monospace,monospace;padding:4px 7px;border-radius:3px;white-space:pre;pointer-events:none}
`;

function runLabel(r: HtmlReportRun): string {
  return r.label ?? `${r.report.policy} / ${r.report.server}`;
}

const NUMERIC = /^[-+]?[\d.,/ %x]+$/;

function table(columns: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const td = (v: string | number): string => `<td${typeof v === "number" || NUMERIC.test(v) ? ' class="n"' : ""}>${esc(v)}</td>`;
  return `<table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map(td).join("")}</tr>`).join("")}</tbody></table>`;
}

/** The headline numbers of each run, one column per run (the CLI summary's rows that matter on a page). */
function summaryTable(runs: readonly HtmlReportRun[]): string {
  const mib = (b: number): string => (b / 2 ** 20).toFixed(0);
  const rows: [string, (r: RunReport) => string | number][] = [
    ["modelled write throughput, MiB/s", (r) => r.modelled.throughputMiBps.toFixed(0)],
    ["writers done at, virtual s", formatWritersDone],
    ["bytes copied for writeback, MiB", (r) => mib(r.modelled.bytesCopiedWriteback)],
    ["peak temp pages (nr_writeback_temp)", (r) => r.modelled.peakTempPages],
    ["peak nr_writeback / nr_dirty", (r) => `${r.modelled.peakNrWriteback} / ${r.modelled.peakNrDirty}`],
    ["longest writeback hold, ms", (r) => (r.modelled.longestWritebackHoldNs / 1e6).toFixed(2)],
    ["pageblocks at the end", (r) => migratetype_names.filter((n) => (r.pageblocks[n] ?? 0) > 0).map((n) => `${n} ${r.pageblocks[n]}`).join(", ")],
    ["mixed pageblocks", (r) => r.mixedBlocks],
    ["THP success %, attempts", (r) => `${r.highOrder.thpSuccessPct}, ${r.highOrder.thpAttempts}`],
    ["integrity persisted / lost / corrupt / pending", (r) => `${r.integrity.writesPersisted} / ${r.integrity.writesLost} / ${r.integrity.corrupt} / ${r.integrity.pending}`],
    ["hangs (writers blocked at the end)", (r) => r.modelled.hangs],
  ];
  return table(["", ...runs.map(runLabel)], rows.map(([name, f]) => [name, ...runs.map((r) => f(r.report))]));
}

/** One chart per counter; a counter some run lacks just has no line for that run. */
function charts(runs: readonly HtmlReportRun[]): string {
  const perRun = runs.map((r) => metricSeries(r.report.samples ?? []));
  const keys: MetricSeries[] = [];
  for (const list of perRun) for (const m of list) if (!keys.some((k) => k.key === m.key)) keys.push(m);
  if (keys.length === 0) return `<p class="note">No samples in these reports (build them with samples: true).</p>`;
  return `<div class="charts">${keys.map((k) => {
    const series: ChartSeries[] = [];
    perRun.forEach((list, i) => {
      const m = list.find((s) => s.key === k.key);
      if (m) series.push({ name: runLabel(runs[i]!), colour: RUN_COLOURS[i % RUN_COLOURS.length]!, points: m.points });
    });
    return renderLineChart({ title: k.title, xLabel: "virtual time, s", yLabel: k.unit, series });
  }).join("")}</div>`;
}

/** Counts of blocks in each state, so the map's story is readable without hovering. */
function mapCaption(s: PageblockSnapshot): string {
  const c = countPageblocks(s.blocks);
  const types = c.byMigratetype.map((n, mt) => (n > 0 ? `${n} ${migratetype_names[mt]}` : "")).filter(Boolean).join(", ");
  return `<figcaption><b>${esc(s.label)}</b><br>${c.blocks} pageblocks: ${esc(types)}. Blocks with pages under writeback ` +
    `${c.writeback} · with temp pages ${c.temp} · with spliced pages ${c.spliced} · mixed ${c.mixed} · mostly free ${c.mostlyFree}</figcaption>`;
}

function runMapsNote(r: HtmlReportRun): string {
  const blocks = r.snapshots[0]?.blocks.length ?? 0;
  const group = blocksPerCell(blocks);
  const notes: string[] = [];
  if (r.zones && r.zones.length > 1)
    notes.push(`Zones: ${r.zones.map((z) => `${z.name} from pfn 0x${z.startPfn.toString(16)}`).join(", ")} (a black bar marks where a zone starts).`);
  if (group > 1)
    notes.push(`One cell is ${group} pageblocks (${(group * pageblock_nr_pages) / 256} MiB): coloured by their most common type, marked if any of them is.`);
  return notes.length ? `<p class="note">${esc(notes.join(" "))}</p>` : "";
}

function maps(runs: readonly HtmlReportRun[]): string {
  return runs.map((r) => {
    const figures = r.snapshots.map((s) =>
      `<figure>${renderPageblockMap(s.blocks, { zones: r.zones, title: `${runLabel(r)}: ${s.label}` })}${mapCaption(s)}</figure>`);
    return `<section class="run-maps"><h3>${esc(runLabel(r))}</h3>${runMapsNote(r)}` +
      (figures.length ? `<div class="maps">${figures.join("")}</div>` : `<p class="note">No pageblock maps for this run.</p>`) + `</section>`;
  }).join("");
}

export function renderHtmlReport(input: HtmlReportInput): string {
  const first = input.runs[0]?.report;
  const title = input.title ?? `fusewb report: ${first ? first.scenario : "no runs"}`;
  const sub = first ? `seed ${first.seed}; ${input.runs.length} run${input.runs.length === 1 ? "" : "s"}; times are virtual (modelled), not wall-clock.` : "";
  const decision = input.decisionTable
    ? `<h2>Decision table</h2>${table(input.decisionTable.columns, input.decisionTable.rows)}` : "";
  return `<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(title)}</title><style>${CSS}</style></head><body>` +
    `<h1>${esc(title)}</h1><p class="sub">${esc(sub)}</p>` +
    (input.runs.length ? `<h2>Summary</h2>${summaryTable(input.runs)}` : "") + decision +
    `<h2>Time series</h2>${charts(input.runs)}` +
    `<h2>Pageblock maps</h2><p class="note">One cell per pageblock (${pageblock_nr_pages} pages, 2 MiB), in PFN order left to right; ` +
    `the row label is the row's first PFN. Hover a cell for its page counts.</p>${renderPageblockLegend()}${maps(input.runs)}` +
    `<p class="note">Generated by fusewb.</p><script>${MAP_TOOLTIP_SCRIPT}</script></body></html>\n`;
}
