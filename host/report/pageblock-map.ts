// The pageblock map: one cell per pageblock (PFN order, left to right, top to bottom), filled by the block's
// migratetype, pale when most of its pages are free, and marked where pages are under writeback, are FUSE temp
// pages, are held by a pipe (splice), or belong to the other mobility ("mixed", as pagetypeinfo counts them).
// Output is a plain SVG string with no DOM and no Node import, so the report (Node) and the browser demo share it.
import type { PageblockTable } from "../sim/pageblock-table.js";
import { MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_TYPES, migratetype_names, pageblock_nr_pages } from "../core/constants.js";
import { esc } from "./xml.js";

export interface ZoneStart { name: string; startPfn: number; }

export interface PageblockMapOptions {
  /** Zone starts, drawn as a bar before the zone's first cell. */
  zones?: readonly ZoneStart[];
  /** Above this many pageblocks, runs of 2^k consecutive blocks share a cell, so the SVG stays well under
   *  2 MB (about 40 bytes a cell) on big machines. */
  maxCells?: number;
  /** Shown to screen readers and as the SVG's title. */
  title?: string;
}

/** Fill per migratetype, in enum order (Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate); the
 *  pale variant for mostly free blocks is the same hue mixed with white, so the type stays readable. */
export const MIGRATETYPE_COLOURS = ["#d64541", "#3b7dd8", "#e0a800", "#8e44ad", "#16a085", "#7f8c8d"] as const;
const PALE = 0.7;
/** At least this share of a cell's pages free: drawn pale. */
export const MOSTLY_FREE = 0.75;
const DEFAULT_MAX_CELLS = 8192;

/** Blocks of each kind, for a caption under the map. */
export interface PageblockCounts {
  blocks: number;
  byMigratetype: number[];
  writeback: number;
  temp: number;
  spliced: number;
  mixed: number;
  mostlyFree: number;
}

/** A block of the movable kind holding unmovable pages, or the reverse: what fragments memory. */
export function isMixed(t: PageblockTable, b: number): boolean {
  const mt = t.mt(b);
  if (mt === MIGRATE_ISOLATE) return false;
  return mt === MIGRATE_MOVABLE || mt === MIGRATE_CMA ? t.unmovable(b) + t.temp(b) > 0 : t.movable(b) > 0;
}

export function countPageblocks(t: PageblockTable): PageblockCounts {
  const c: PageblockCounts = { blocks: t.length, byMigratetype: new Array<number>(MIGRATE_TYPES).fill(0), writeback: 0, temp: 0, spliced: 0, mixed: 0, mostlyFree: 0 };
  for (let b = 0; b < t.length; b++) {
    const mt = t.mt(b);
    c.byMigratetype[mt] = (c.byMigratetype[mt] ?? 0) + 1;
    if (t.writeback(b) > 0) c.writeback++;
    if (t.temp(b) > 0) c.temp++;
    if (t.spliced(b) > 0) c.spliced++;
    if (isMixed(t, b)) c.mixed++;
    if (t.free(b) >= MOSTLY_FREE * pageblock_nr_pages) c.mostlyFree++;
  }
  return c;
}

/** Pageblocks per cell: 1, or the power of two that brings the cell count under maxCells. */
export function blocksPerCell(nBlocks: number, maxCells = DEFAULT_MAX_CELLS): number {
  let g = 1;
  while (Math.ceil(nBlocks / g) > maxCells) g *= 2;
  return g;
}

interface Cell {
  /** The most common migratetype among the cell's blocks. */
  mt: number;
  /** Page counts summed over the cell's blocks, in PageblockCensus order after mt. */
  sums: [free: number, writeback: number, temp: number, spliced: number, unmovable: number, movable: number, dirty: number];
  pages: number;
  mixed: boolean;
}

function toCells(t: PageblockTable, group: number): Cell[] {
  const cells: Cell[] = [];
  const votes = new Array<number>(MIGRATE_TYPES);
  for (let first = 0; first < t.length; first += group) {
    votes.fill(0);
    const cell: Cell = { mt: 0, sums: [0, 0, 0, 0, 0, 0, 0], pages: 0, mixed: false };
    const s = cell.sums;
    for (let b = first; b < Math.min(first + group, t.length); b++) {
      votes[t.mt(b)] = (votes[t.mt(b)] ?? 0) + 1;
      s[0] += t.free(b); s[1] += t.writeback(b); s[2] += t.temp(b); s[3] += t.spliced(b); s[4] += t.unmovable(b); s[5] += t.movable(b); s[6] += t.dirty(b);
      cell.pages += pageblock_nr_pages;
      cell.mixed ||= isMixed(t, b);
    }
    cell.mt = votes.indexOf(Math.max(...votes));
    cells.push(cell);
  }
  return cells;
}

/** Grid geometry: small machines get big cells, so a 256 MiB map is not a thin strip. */
function layout(nCells: number): { perRow: number; size: number; pitch: number } {
  if (nCells <= 256) return { perRow: 32, size: 13, pitch: 15 };
  if (nCells <= 4096) return { perRow: 64, size: 9, pitch: 11 };
  return { perRow: 128, size: 7, pitch: 8 };
}

function pale(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  const mix = (c: number): string => Math.round(c + (255 - c) * PALE).toString(16).padStart(2, "0");
  return `#${mix(n >> 16)}${mix((n >> 8) & 255)}${mix(n & 255)}`;
}

/** Symbol ids carry the cell size: several SVGs share one HTML document (one id space), and two symbols with
 *  the same id are then the same drawing, whichever the browser picks. */
const sym = (size: number, name: string): string => `s${size}-${name}`;

/** The symbols every map (and the legend) draws with, sized for one cell. */
function defs(size: number): string {
  const id = (name: string): string => sym(size, name);
  const h = size / 2, r = Math.max(1.5, size * 0.24);
  const swatches = MIGRATETYPE_COLOURS.map((c, mt) =>
    `<rect id="${id(`pb${mt}`)}" width="${size}" height="${size}" fill="${c}"/><rect id="${id(`pb${mt}f`)}" width="${size}" height="${size}" fill="${pale(c)}"/>`).join("");
  const d = size * 0.22, e = size - d;
  return `<defs>${swatches}` +
    `<circle id="${id("mk-wb")}" cx="${h}" cy="${h}" r="${r}" fill="#111"/>` +
    `<circle id="${id("mk-splice")}" cx="${h}" cy="${h}" r="${Math.max(2.5, size * 0.38)}" fill="none" stroke="#111" stroke-width="1.2"/>` +
    `<path id="${id("mk-temp")}" d="M${d} ${d}L${e} ${e}M${e} ${d}L${d} ${e}" stroke="#111" stroke-width="${Math.max(1.2, size / 8)}"/>` +
    `<path id="${id("mk-mixed")}" d="M0 0H${size * 0.5}L0 ${size * 0.5}Z" fill="#111"/></defs>`;
}

const hex = (pfn: number): string => `0x${pfn.toString(16)}`;

/** The map as an SVG element. The cells' counts ride along in data-cells (one "mt,free,wb,temp,spliced,
 *  unmovable,movable,dirty" record per cell, zeros left empty) for the report's hover text. */
export function renderPageblockMap(blocks: PageblockTable, opts: PageblockMapOptions = {}): string {
  const group = blocksPerCell(blocks.length, opts.maxCells);
  const cells = toCells(blocks, group);
  const { perRow, size, pitch } = layout(cells.length);
  const rows = Math.ceil(cells.length / perRow);
  const labelEvery = pitch >= 11 ? 1 : 4;
  const fontSize = Math.min(10, pitch);
  // Room for the longest row label (the last row's PFN) in a monospace font, ~0.62 em a character.
  const x0 = Math.ceil(hex((rows - 1) * perRow * group * pageblock_nr_pages).length * fontSize * 0.62) + 8, y0 = 2;
  const width = x0 + perRow * pitch + 4, height = y0 + rows * pitch + 2;
  const labels: string[] = [], uses: string[] = [], marks: string[] = [], data: string[] = [];
  for (let row = 0; row < rows; row += labelEvery)
    labels.push(`<text x="${x0 - 6}" y="${y0 + row * pitch + size - 1}">${hex(row * perRow * group * pageblock_nr_pages)}</text>`);
  cells.forEach((c, i) => {
    const x = x0 + (i % perRow) * pitch, y = y0 + Math.floor(i / perRow) * pitch;
    const [free, wb, temp, spliced] = c.sums;
    uses.push(`<use href="#${sym(size, `pb${c.mt}${free >= MOSTLY_FREE * c.pages ? "f" : ""}`)}" x="${x}" y="${y}"/>`);
    if (c.mixed) marks.push(`<use href="#${sym(size, "mk-mixed")}" x="${x}" y="${y}"/>`);
    if (temp > 0) marks.push(`<use href="#${sym(size, "mk-temp")}" x="${x}" y="${y}"/>`);
    if (spliced > 0) marks.push(`<use href="#${sym(size, "mk-splice")}" x="${x}" y="${y}"/>`);
    if (wb > 0) marks.push(`<use href="#${sym(size, "mk-wb")}" x="${x}" y="${y}"/>`);
    data.push([c.mt, ...c.sums].map((v) => (v === 0 ? "" : v)).join(","));
  });
  const zoneBars = (opts.zones ?? []).filter((z) => z.startPfn > 0).map((z) => {
    const i = Math.floor(z.startPfn / pageblock_nr_pages / group);
    const x = x0 + (i % perRow) * pitch - 1.5, y = y0 + Math.floor(i / perRow) * pitch - 1;
    return `<line x1="${x}" y1="${y}" x2="${x}" y2="${y + pitch}"><title>${esc(z.name)} starts at pfn ${hex(z.startPfn)}</title></line>`;
  });
  const title = opts.title ?? `pageblock map: ${blocks.length} pageblocks`;
  return `<svg class="pbmap" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `role="img" aria-label="${esc(title)}" data-blocks="${blocks.length}" data-group="${group}" data-per-row="${perRow}" ` +
    `data-pitch="${pitch}" data-x0="${x0}" data-y0="${y0}" data-cells="${data.join(";")}">` +
    `<title>${esc(title)}</title>${defs(size)}` +
    `<g class="pfn" font-family="ui-monospace,monospace" font-size="${fontSize}" fill="#555" text-anchor="end">${labels.join("")}</g>` +
    `<g class="cells">${uses.join("")}</g><g class="marks">${marks.join("")}</g>` +
    `<g class="zones" stroke="#000" stroke-width="2">${zoneBars.join("")}</g></svg>`;
}

/** The key to the map's colours and marks, as an SVG of its own (the browser demo shows it too). */
export function renderPageblockLegend(): string {
  const size = 13, gap = 3, items: string[] = [];
  // Each entry: swatches side by side, each swatch a stack of symbols, then the text.
  const row = (y: number, entries: [swatches: string[][], text: string][]): number => {
    let x = 0;
    for (const [swatches, text] of entries) {
      for (const stack of swatches) {
        for (const id of stack) items.push(`<use href="#${sym(size, id)}" x="${x}" y="${y}"/>`);
        x += size + gap;
      }
      items.push(`<text x="${x}" y="${y + size - 2}">${esc(text)}</text>`);
      x += Math.ceil(text.length * 6.6) + 18;
    }
    return x;
  };
  const w1 = row(0, migratetype_names.map((name, mt) => [[[`pb${mt}`], [`pb${mt}f`]], name]));
  const w2 = row(22, [
    [[["pb1f"]], `pale: at least ${MOSTLY_FREE * 100}% of the block free`],
    [[["pb1", "mk-wb"]], "pages under writeback"],
    [[["pb0", "mk-temp"]], "FUSE temp pages (legacy copy)"],
    [[["pb1", "mk-splice"]], "pages held by a pipe (splice)"],
    [[["pb1", "mk-mixed"]], "mixed: holds pages of the other mobility"],
  ]);
  const width = Math.max(w1, w2);
  return `<svg class="pblegend" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${22 + size + 2}" ` +
    `viewBox="0 0 ${width} ${22 + size + 2}" font-family="system-ui,sans-serif" font-size="12" fill="#222">${defs(size)}${items.join("")}</svg>`;
}
