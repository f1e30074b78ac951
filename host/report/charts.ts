// Line charts as hand-written SVG: axes with round ticks, one polyline per run, a legend. Why not a library:
// the charts are static lines over a few thousand points at most. d3-shape would only build the path string
// (a polyline's points attribute is simpler), d3-scale only the ticks (niceStep below); uPlot and Chart.js draw
// on a canvas at load time, so the report would need ~50-200 KB of inlined JavaScript to show anything,
// would print poorly, and tests could not read the drawn lines from the DOM. Plain SVG costs ~120 lines,
// renders with JavaScript off, and needs no bundling to be inlined.
import { esc, shortNumber } from "./xml.js";

export interface ChartSeries {
  name: string;
  colour: string;
  /** [x, y] in data units, x increasing. */
  points: readonly (readonly [number, number])[];
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
}

/** Colours for runs, told apart by people with the common colour-vision deficiencies (Okabe-Ito). */
export const RUN_COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000", "#f0e442"] as const;

/** A step of 1, 2 or 5 times a power of ten giving about `target` intervals over `span`. */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0)) return 1;
  const raw = span / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m >= 5 ? 10 : m >= 2 ? 5 : m >= 1.5 ? 2 : 1) * p;
}

function ticks(lo: number, hi: number): number[] {
  const step = niceStep(hi - lo);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** At most ~2 points per pixel column: the min and the max of each column, in x order, so peaks survive. */
export function thin(points: readonly (readonly [number, number])[], columns: number, x0: number, x1: number): (readonly [number, number])[] {
  if (points.length <= 2 * columns) return points.slice();
  const out: (readonly [number, number])[] = [];
  let col = -1, lo: readonly [number, number] | null = null, hi: readonly [number, number] | null = null;
  const flush = (): void => {
    if (lo && hi) out.push(...(lo === hi ? [lo] : lo[0] <= hi[0] ? [lo, hi] : [hi, lo]));
  };
  for (const p of points) {
    const c = Math.floor(((p[0] - x0) / (x1 - x0 || 1)) * columns);
    if (c !== col) { flush(); col = c; lo = hi = p; continue; }
    if (p[1] < lo![1]) lo = p;
    if (p[1] > hi![1]) hi = p;
  }
  flush();
  return out;
}

export function renderLineChart(spec: ChartSpec): string {
  const width = spec.width ?? 560, height = spec.height ?? 240;
  const left = 58, right = 12, top = 30, bottom = 40;
  const pw = width - left - right, ph = height - top - bottom;
  const all = spec.series.flatMap((s) => s.points);
  // Loops, not Math.max(...xs): a long run has more samples than a call may take arguments.
  let xMin = 0, xMax = 0, yMin = 0, yMax = 0;
  for (const [x, y] of all) { xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); }
  // Round the y range up to a tick, so the top line is labelled; a flat zero series gets a unit range.
  const yStep = niceStep(yMax - yMin || 1);
  const yTop = Math.ceil((yMax || 1) / yStep) * yStep, yBottom = Math.floor(yMin / yStep) * yStep;
  const xs = (x: number): number => left + ((x - xMin) / (xMax - xMin || 1)) * pw;
  const ys = (y: number): number => top + ph - ((y - yBottom) / (yTop - yBottom || 1)) * ph;
  const f = (n: number): string => n.toFixed(1);
  const grid: string[] = [];
  for (const t of ticks(yBottom, yTop))
    grid.push(`<line x1="${left}" x2="${left + pw}" y1="${f(ys(t))}" y2="${f(ys(t))}" class="grid"/>` +
      `<text x="${left - 5}" y="${f(ys(t) + 4)}" text-anchor="end">${esc(shortNumber(t))}</text>`);
  for (const t of ticks(xMin, xMax || 1))
    grid.push(`<line x1="${f(xs(t))}" x2="${f(xs(t))}" y1="${top + ph}" y2="${top + ph + 4}" stroke="#444"/>` +
      `<text x="${f(xs(t))}" y="${top + ph + 16}" text-anchor="middle">${esc(shortNumber(t))}</text>`);
  const lines = spec.series.map((s) => {
    const pts = thin(s.points, pw, xMin, xMax).map((p) => `${f(xs(p[0]))},${f(ys(p[1]))}`).join(" ");
    return `<polyline points="${pts}" fill="none" stroke="${s.colour}" stroke-width="1.6" stroke-linejoin="round"><title>${esc(s.name)}</title></polyline>`;
  });
  const legend = spec.series.length > 1 ? spec.series.map((s, i) =>
    `<g transform="translate(${left + 8 + i * Math.floor(pw / spec.series.length)},${top + 4})"><rect width="10" height="3" y="3" fill="${s.colour}"/>` +
    `<text x="14" y="9">${esc(s.name)}</text></g>`).join("") : "";
  const empty = all.length === 0 ? `<text x="${left + pw / 2}" y="${top + ph / 2}" text-anchor="middle" fill="#999">no samples</text>` : "";
  return `<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui,sans-serif" font-size="11" fill="#333" role="img" aria-label="${esc(spec.title)}">` +
    `<style>.grid{stroke:#e4e4e4}</style>` +
    `<text x="${left}" y="16" font-size="13" font-weight="600">${esc(spec.title)}</text>${grid.join("")}` +
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${top + ph}" stroke="#444"/><line x1="${left}" x2="${left + pw}" y1="${top + ph}" y2="${top + ph}" stroke="#444"/>` +
    `<text x="${left + pw}" y="${height - 6}" text-anchor="end">${esc(spec.xLabel)}</text>` +
    `<text transform="translate(12,${top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>` +
    `${lines.join("")}${legend}${empty}</svg>`;
}
