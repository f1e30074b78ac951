// A real machine's /proc census → the emulated machine: zone sizes from the pageblock census (blocks × 512),
// and per zone the census that mm_boot_from_census() rebuilds (host/core/from-census.ts).
// The emulator has no ZONE_DMA: a DMA zone is folded into DMA32 (its blocks and free buddies added), which
// is also where the kernel's DMA32 starts allocating. A zone's spanned pages beyond whole pageblocks and its
// holes are not modelled: each zone is exactly its census's pageblocks.
import { InputError } from "../util/input-error.js";
import { MIGRATE_CMA, MIGRATE_TYPES, NR_PAGE_ORDERS, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL, pageblock_nr_pages, zone_names } from "../core/constants.js";
import { defaultMachineConfig, validateMachineConfig, type MachineConfig } from "../core/machine-config.js";
import type { ZoneCensus } from "../core/from-census.js";
import { parseProcSnapshot, type ProcSnapshot, type ProcZoneName } from "./parse.js";

export interface ProcMachine {
  machine: MachineConfig;
  /** One entry per populated zone of `machine`. */
  census: ZoneCensus[];
  /** What was folded or inferred, one line each, for the user. */
  notes: string[];
}

const ZONE_OF: Readonly<Record<ProcZoneName, number>> = { DMA: ZONE_DMA32, DMA32: ZONE_DMA32, Normal: ZONE_NORMAL, Movable: ZONE_MOVABLE };

function emptyCensus(zone: number): ZoneCensus {
  return {
    zone,
    blocks: new Array<number>(MIGRATE_TYPES).fill(0),
    free: Array.from({ length: MIGRATE_TYPES }, () => new Array<number>(NR_PAGE_ORDERS).fill(0)),
  };
}

/** The machine and census of a parsed snapshot; `base` supplies the allocator switches (fallback, grouping). */
export function machineFromSnapshot(snap: ProcSnapshot, base: Partial<Pick<MachineConfig, "fallback" | "mobilityGrouping" | "pcp" | "thp">> = {}, source = "proc"): ProcMachine {
  const notes = [...snap.notes];
  const byZone = new Map<number, ZoneCensus>();
  for (const z of snap.zones) {
    const zone = ZONE_OF[z.name];
    const c = byZone.get(zone) ?? emptyCensus(zone);
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      c.blocks[mt]! += z.blocks[mt]!;
      for (let o = 0; o < NR_PAGE_ORDERS; o++) c.free[mt]![o]! += z.free[mt]![o]!;
    }
    byZone.set(zone, c);
    if (z.name === "DMA") {
      const n = z.blocks.reduce((s, b) => s + b, 0);
      notes.push(`zone DMA (${n} pageblock${n === 1 ? "" : "s"}) is folded into DMA32: the emulator has no ZONE_DMA`);
    }
  }
  const census = [...byZone.values()].sort((a, b) => a.zone - b.zone);
  const pages = (zone: number): number => (byZone.get(zone)?.blocks.reduce((s, b) => s + b, 0) ?? 0) * pageblock_nr_pages;
  for (const c of census) {
    const freePages = c.free.reduce((s, row) => s + row.reduce((t, n, o) => t + n * 2 ** o, 0), 0);
    const zonePages = pages(c.zone);
    if (freePages > zonePages)
      throw new InputError(`${source}: zone ${zone_names[c.zone]}: ${freePages} free pages do not fit in its ${zonePages / pageblock_nr_pages} pageblocks (${zonePages} pages)`);
  }
  const cmaBlocks = (zone: number): number => byZone.get(zone)?.blocks[MIGRATE_CMA] ?? 0;
  if (cmaBlocks(ZONE_DMA32) + cmaBlocks(ZONE_MOVABLE) > 0)
    notes.push("CMA pageblocks outside the Normal zone are rebuilt where they are, but machine.cma counts only the Normal zone's");
  const machine: MachineConfig = {
    ...defaultMachineConfig,
    ...base,
    dma32Pages: pages(ZONE_DMA32),
    normalPages: pages(ZONE_NORMAL),
    movablePages: pages(ZONE_MOVABLE),
    cmaPages: cmaBlocks(ZONE_NORMAL) * pageblock_nr_pages,
  };
  const problem = validateMachineConfig(machine);
  if (problem) throw new InputError(`${source}: ${problem}`);
  return { machine, census: census.filter((c) => c.blocks.some((b) => b > 0)), notes };
}

/** The text of /proc/buddyinfo and /proc/pagetypeinfo → the machine and its census. */
export function machineFromProcText(buddyinfo: string, pagetypeinfo: string, source = "proc"): ProcMachine {
  return machineFromSnapshot(parseProcSnapshot(buddyinfo, pagetypeinfo, source), {}, source);
}
