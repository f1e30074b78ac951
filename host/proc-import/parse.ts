// Reading a real machine's /proc/buddyinfo and /proc/pagetypeinfo (the text mm/vmstat.c prints) into numbers.
// One NUMA node only: node 0's lines, and a one-line error naming the first other node. Every complaint is
// one InputError line: `<source>: line <n>: <what is wrong>; <what is allowed>`.
import { InputError } from "../util/input-error.js";
import { MIGRATE_TYPES, NR_PAGE_ORDERS, migratetype_names, pageblock_nr_pages, pageblock_order } from "../core/constants.js";

/** Zones as a real x86-64 kernel names them; ZONE_DMA is folded into DMA32 later (machine.ts). */
export const PROC_ZONE_NAMES = ["DMA", "DMA32", "Normal", "Movable"] as const;
export type ProcZoneName = (typeof PROC_ZONE_NAMES)[number];

/** One zone of node 0 as the two files describe it. */
export interface ProcZone {
  name: ProcZoneName;
  /** /proc/buddyinfo: free buddies per order, all types (undefined when the zone is not in buddyinfo). */
  buddy?: number[];
  /** /proc/pagetypeinfo: free[mt][order] (a type the kernel did not print, e.g. CMA without CONFIG_CMA, is 0). */
  free: number[][];
  /** "Number of blocks type": blocks[mt]. */
  blocks: number[];
}

export interface ProcSnapshot {
  /** In the files' order (ascending zone). */
  zones: ProcZone[];
  /** What had to be inferred, one line each (e.g. a free list past the 100000 walk cap). */
  notes: string[];
}

/** pagetypeinfo_showfree_print() stops counting a list at 100000 and prints ">100000". */
const FREE_LIST_WALK_CAP = 100000;

type Fail = (line: number, text: string) => never;
function failer(source: string): Fail {
  return (line, text) => {
    throw new InputError(`${source}: line ${line}: ${text}`);
  };
}

/** "Node <n>, zone <name>" at the start of a line: the node (node 0 only) and the zone name. */
function zoneOf(m: RegExpExecArray, lineNo: number, fail: Fail): ProcZoneName {
  const node = Number(m[1]);
  if (node !== 0) fail(lineNo, `node ${node} is not allowed; fusewb emulates one NUMA node, give a single-node machine's files`);
  const name = m[2]!;
  if (!(PROC_ZONE_NAMES as readonly string[]).includes(name))
    fail(lineNo, `zone ${JSON.stringify(name)} is not allowed; allowed: ${PROC_ZONE_NAMES.join(", ")}`);
  return name as ProcZoneName;
}

function count(cell: string, lineNo: number, fail: Fail): number {
  if (!/^\d+$/.test(cell) || !Number.isSafeInteger(Number(cell))) fail(lineNo, `${JSON.stringify(cell)} is not allowed; counts are whole numbers`);
  return Number(cell);
}

function typeIndex(name: string, lineNo: number, fail: Fail): number {
  const mt = (migratetype_names as readonly string[]).indexOf(name);
  if (mt < 0) fail(lineNo, `migratetype ${JSON.stringify(name)} is not allowed; allowed: ${migratetype_names.join(", ")}`);
  return mt;
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

// mm/vmstat.c: frag_show_print(): "Node %d, zone %8s " then "%6lu " per order.
export function parseBuddyinfo(text: string, source = "buddyinfo"): Map<ProcZoneName, number[]> {
  const fail: Fail = failer(source);
  const zones = new Map<ProcZoneName, number[]>();
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const m = /^Node\s+(\d+),\s*zone\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) fail(i + 1, `${JSON.stringify(line.trim().slice(0, 40))} is not a /proc/buddyinfo line; expected "Node 0, zone Normal <11 counts>"`);
    const zone = zoneOf(m, i + 1, fail);
    const cells = m[3]!.trim().split(/\s+/);
    if (cells.length !== NR_PAGE_ORDERS) fail(i + 1, `${cells.length} orders are not allowed; fusewb emulates orders 0..10 (MAX_PAGE_ORDER 10), ${NR_PAGE_ORDERS} counts`);
    if (zones.has(zone)) fail(i + 1, `zone ${zone} is listed twice`);
    zones.set(zone, cells.map((c) => count(c, i + 1, fail)));
  });
  if (zones.size === 0) throw new InputError(`${source}: no zones; expected lines such as "Node 0, zone Normal <11 counts>"`);
  return zones;
}

export interface PagetypeinfoNumbers {
  free: Map<ProcZoneName, number[][]>;
  /** capped[zone] lists the (mt, order) cells printed as ">100000". */
  capped: Map<ProcZoneName, [number, number][]>;
  blocks: Map<ProcZoneName, number[]>;
}

// mm/vmstat.c: pagetypeinfo_show(): the header, pagetypeinfo_showfree(), pagetypeinfo_showblockcount() and
// (with page_owner) pagetypeinfo_showmixedcount(), which is read past.
export function parsePagetypeinfo(text: string, source = "pagetypeinfo"): PagetypeinfoNumbers {
  const fail: Fail = failer(source);
  const out: PagetypeinfoNumbers = { free: new Map(), capped: new Map(), blocks: new Map() };
  let section: "head" | "free" | "blocks" | "other" = "head";
  let blockTypes: number[] = [];
  let sawOrder = false;
  text.split("\n").forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === "") return;
    let m: RegExpExecArray | null;
    if ((m = /^Page block order:\s*(\d+)$/.exec(line))) {
      if (Number(m[1]) !== pageblock_order) fail(lineNo, `page block order ${m[1]} is not allowed; fusewb emulates pageblock_order ${pageblock_order} (x86-64, 4 KiB pages)`);
      sawOrder = true;
    } else if ((m = /^Pages per block:\s*(\d+)$/.exec(line))) {
      if (Number(m[1]) !== pageblock_nr_pages) fail(lineNo, `${m[1]} pages per block are not allowed; fusewb emulates ${pageblock_nr_pages}`);
    } else if ((m = /^Free pages count per migrate type at order\s+(.*)$/.exec(line))) {
      const orders = m[1]!.trim().split(/\s+/);
      if (orders.join(" ") !== Array.from({ length: NR_PAGE_ORDERS }, (_, o) => o).join(" "))
        fail(lineNo, `orders ${orders.join(" ")} are not allowed; fusewb emulates orders 0..10 (MAX_PAGE_ORDER 10)`);
      section = "free";
    } else if ((m = /^Number of blocks type\s+(.*)$/.exec(line))) {
      blockTypes = m[1]!.trim().split(/\s+/).map((name) => typeIndex(name, lineNo, fail));
      section = "blocks";
    } else if (/^Number of mixed blocks/.test(line)) {
      section = "other";
    } else if (section === "free" && (m = /^Node\s+(\d+),\s*zone\s+(\S+),\s*type\s+(\S+)\s+(.*)$/.exec(line))) {
      const zone = zoneOf(m, lineNo, fail);
      const mt = typeIndex(m[3]!, lineNo, fail);
      const cells = m[4]!.trim().split(/\s+/);
      if (cells.length !== NR_PAGE_ORDERS) fail(lineNo, `${cells.length} counts are not allowed; give one per order 0..10`);
      const free = out.free.get(zone) ?? Array.from({ length: MIGRATE_TYPES }, () => zeros(NR_PAGE_ORDERS));
      const capped = out.capped.get(zone) ?? [];
      cells.forEach((cell, order) => {
        if (cell.startsWith(">")) {
          free[mt]![order] = count(cell.slice(1), lineNo, fail);
          capped.push([mt, order]);
        } else free[mt]![order] = count(cell, lineNo, fail);
      });
      out.free.set(zone, free);
      out.capped.set(zone, capped);
    } else if (section === "blocks" && (m = /^Node\s+(\d+),\s*zone\s+(\S+)\s+(.*)$/.exec(line))) {
      const zone = zoneOf(m, lineNo, fail);
      const cells = m[3]!.trim().split(/\s+/);
      if (cells.length !== blockTypes.length) fail(lineNo, `${cells.length} counts are not allowed; the header names ${blockTypes.length} types`);
      const blocks = zeros(MIGRATE_TYPES);
      cells.forEach((cell, k) => { blocks[blockTypes[k]!] = count(cell, lineNo, fail); });
      out.blocks.set(zone, blocks);
    } else if (section !== "other") {
      fail(lineNo, `${JSON.stringify(line.slice(0, 40))} is not a /proc/pagetypeinfo line`);
    }
  });
  if (!sawOrder) throw new InputError(`${source}: no "Page block order:" line; is this /proc/pagetypeinfo?`);
  if (out.blocks.size === 0) throw new InputError(`${source}: no "Number of blocks type" table; is this /proc/pagetypeinfo (read as root)?`);
  return out;
}

/** A free list past the walk cap: its count is buddyinfo's total at that order less the other types'. */
function uncap(zone: ProcZone, capped: readonly [number, number][], source: string, notes: string[]): void {
  for (const [mt, order] of capped) {
    const others = capped.filter(([, o]) => o === order);
    if (others.length > 1 || !zone.buddy)
      throw new InputError(`${source}: zone ${zone.name}: ${others.length > 1 ? "several free lists" : "a free list"} of order ${order} passed the ${FREE_LIST_WALK_CAP} walk cap (">${FREE_LIST_WALK_CAP}")${zone.buddy ? "" : " and buddyinfo does not list the zone"}; the exact counts cannot be recovered`);
    let rest = 0;
    for (let t = 0; t < MIGRATE_TYPES; t++) if (t !== mt) rest += zone.free[t]![order]!;
    const derived = Math.max(FREE_LIST_WALK_CAP, zone.buddy[order]! - rest);
    zone.free[mt]![order] = derived;
    notes.push(`zone ${zone.name}: ${migratetype_names[mt]} order ${order} was ">${FREE_LIST_WALK_CAP}"; ${derived} from buddyinfo's total`);
  }
}

/** Both files' text → node 0's zones. The free counts come from pagetypeinfo (per type); buddyinfo only fills
 *  lists past the walk cap, and a difference between the two (they were read at different moments) is noted. */
export function parseProcSnapshot(buddyinfo: string, pagetypeinfo: string, source = "proc"): ProcSnapshot {
  const buddy = parseBuddyinfo(buddyinfo, `${source}/buddyinfo`);
  const pti = parsePagetypeinfo(pagetypeinfo, `${source}/pagetypeinfo`);
  const notes: string[] = [];
  const zones: ProcZone[] = [];
  for (const name of PROC_ZONE_NAMES) {
    const blocks = pti.blocks.get(name);
    const free = pti.free.get(name);
    if (!blocks && !free) {
      if (buddy.has(name)) throw new InputError(`${source}/pagetypeinfo: zone ${name} is in buddyinfo but not here; give both files from one machine`);
      continue;
    }
    if (!blocks || !free) throw new InputError(`${source}/pagetypeinfo: zone ${name} has ${blocks ? "no free counts" : "no block counts"}; the file is cut short`);
    const zone: ProcZone = { name, free, blocks, ...(buddy.has(name) ? { buddy: buddy.get(name)! } : {}) };
    uncap(zone, pti.capped.get(name) ?? [], `${source}/pagetypeinfo`, notes);
    if (zone.buddy) {
      const differs = zone.buddy.some((n, order) => n !== free.reduce((s, row) => s + row[order]!, 0));
      if (differs) notes.push(`zone ${name}: buddyinfo and pagetypeinfo differ (read at different moments); the free counts are pagetypeinfo's`);
    }
    zones.push(zone);
  }
  return { zones, notes };
}
