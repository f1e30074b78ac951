// Booting the WASM allocator from a census (a real machine's /proc/pagetypeinfo numbers) instead of
// memblock_free_all()'s all-free boot: assembly/mm/from_census.ts does the work in one call.
// No Node-only import here: the embedding API uses it too.
import { WasmAllocator } from "./wasm-allocator.js";
import type { MachineConfig } from "./machine-config.js";
import type { CoreExports } from "./wasm.js";
import { InputError } from "../util/input-error.js";
import { CENSUS } from "../gen/contract.js";
import { MAX_NR_ZONES, MIGRATE_TYPES, NR_PAGE_ORDERS, migratetype_names, pageblock_nr_pages, zone_names } from "./constants.js";

/** What one zone must hold after the boot: the pageblock census and the free buddies per (type, order). */
export interface ZoneCensus {
  /** ZONE_DMA32, ZONE_NORMAL or ZONE_MOVABLE. */
  zone: number;
  /** blocks[mt]: "Number of blocks type". */
  blocks: number[];
  /** free[mt][order]: free buddies on list (order, mt). */
  free: number[][];
}

/** Words per zone in the core's census buffer: blocks[6], then free[mt * 11 + order]. */
const CENSUS_ZONE_WORDS = CENSUS.ZONE_WORDS;

function zonePages(m: MachineConfig, zone: number): number {
  return [m.dma32Pages, m.normalPages, m.movablePages][zone] ?? 0;
}

/** A one-line description of the core's failure code. */
function describe(code: number, core: CoreExports, census: readonly ZoneCensus[]): string {
  const z = core.census_error_zone(), mt = core.census_error_mt(), order = core.census_error_order();
  const zone = zone_names[z] ?? `zone ${z}`;
  const type = migratetype_names[mt] ?? `type ${mt}`;
  const blocks = census.find((c) => c.zone === z)?.blocks[mt] ?? 0;
  const free = census.find((c) => c.zone === z)?.free[mt]?.[order] ?? 0;
  if (code === CENSUS.ZONE_SIZE) return `zone ${zone}: its pageblock census does not add up to the zone's size`;
  if (code === CENSUS.NO_PAIRS) return `zone ${zone}: ${free} free ${type} buddies of order ${order} need as many aligned pairs of ${type} pageblocks; the census (${blocks} ${type} blocks) cannot host them`;
  if (code === CENSUS.NO_ROOM) return `zone ${zone}: ${free} free ${type} buddies of order ${order} do not fit in its ${blocks} ${type} pageblocks (with the larger buddies placed first)`;
  return `census boot failed with code ${code}`;
}

/**
 * Replaces the allocator's boot state with one that holds exactly `census`: each zone's pageblock types and
 * free buddies per (type, order). Call it on a freshly booted allocator (no allocations yet), e.g. right
 * after `new Simulator(...)`, before `run()`. Throws InputError (one line) when the census cannot be hosted.
 */
export function bootFromCensus(allocator: WasmAllocator, census: readonly ZoneCensus[]): void {
  const core = allocator.core;
  const words = new Int32Array(MAX_NR_ZONES * CENSUS_ZONE_WORDS);
  for (let z = 0; z < MAX_NR_ZONES; z++) {
    const c = census.find((e) => e.zone === z);
    const size = zonePages(allocator.config, z);
    const blocks = c ? c.blocks.reduce((s, b) => s + b, 0) : 0;
    if (blocks * pageblock_nr_pages !== size)
      throw new InputError(`census: zone ${zone_names[z]}: ${blocks} pageblocks in the census, but the machine's zone has ${size / pageblock_nr_pages}`);
    if (!c) continue;
    for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
      const b = c.blocks[mt] ?? 0;
      if (!Number.isInteger(b) || b < 0) throw new InputError(`census: zone ${zone_names[z]}: ${b} ${migratetype_names[mt]} blocks is not a count`);
      words[z * CENSUS_ZONE_WORDS + mt] = b;
      for (let o = 0; o < NR_PAGE_ORDERS; o++) {
        const n = c.free[mt]?.[o] ?? 0;
        if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) throw new InputError(`census: zone ${zone_names[z]}: ${n} free ${migratetype_names[mt]} buddies of order ${o} is not a count`);
        words[z * CENSUS_ZONE_WORDS + MIGRATE_TYPES + mt * NR_PAGE_ORDERS + o] = n;
      }
    }
  }
  new Int32Array(allocator.core.memory.buffer, core.census_ptr(), words.length).set(words);
  const code = core.mm_boot_from_census();
  if (code !== CENSUS.OK) throw new InputError(`census: ${describe(code, core, census)}`);
}

/** A WasmAllocator booted from a census instead of mm_init()'s all-free boot (the static factory). */
export function wasmAllocatorFromCensus(machine: MachineConfig, census: readonly ZoneCensus[], module: WebAssembly.Module): WasmAllocator {
  const allocator = new WasmAllocator(machine, module);
  bootFromCensus(allocator, census);
  return allocator;
}
