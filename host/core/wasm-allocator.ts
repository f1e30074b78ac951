// The WASM core's allocator behind the AllocatorModel interface: batches in, views out.
import type { AllocatorModel, ZoneView } from "./allocator-model.js";
import { type MachineConfig, validateMachineConfig } from "./machine-config.js";
import { resultsArray } from "./results-array.js";
import { instantiateCore, type CoreExports } from "./wasm.js";
import { describeInvariant } from "./invariant-codes.js";
import { MAX_NR_ZONES, MIGRATE_TYPES, NR_PAGE_ORDERS, NR_PCP_LISTS, pageblock_nr_pages, zone_names } from "./constants.js";

// Layout of the zone view buffer filled by fill_zone_view() (assembly/mm/vmstat.ts).
const V_START = 0, V_MANAGED = 1, V_FREE = 2, V_BLOCKS = 68, V_MIXED = 74, V_NR_FREE = 80, V_NR_CMA = 81,
  V_NR_HA = 82, V_RESERVED_HA = 83, V_MIN = 84, V_LOW = 85, V_HIGH = 86, V_BOOST = 87, V_LOWMEM = 88,
  V_PCP_COUNT = 91, V_PCP_HIGH = 92, V_PCP_BATCH = 93, V_PCP_HIGH_MIN = 94, V_PCP_HIGH_MAX = 95, V_WORDS = 96;

/** Core flags word for mm_init(). */
export function machineFlags(c: MachineConfig): number {
  return (c.fallback === "largest-steal" ? 1 : 0) | (c.mobilityGrouping ? 0 : 2) | (c.pcp ? 0 : 4) | (c.thp ? 8 : 0) |
    (c.freeHighHighMin ? 16 : 0) | (c.pcpAutoTune === false ? 32 : 0);
}

/** Operations copied into the core and run per batch_apply() call: a chunk's operations and results (16 bytes an
 *  operation, 128 KiB) stay in the CPU's caches while it runs, where a whole batch copied at once went through
 *  them twice (in, then read by the core); about 2 % of the order-0 allocator benchmark's 400,000 operations. */
const APPLY_CHUNK = 8192;

export class WasmAllocator implements AllocatorModel {
  readonly core: CoreExports;

  constructor(readonly config: MachineConfig, module: WebAssembly.Module) {
    const err = validateMachineConfig(config);
    if (err) throw new Error(err);
    this.core = instantiateCore(module);
    this.core.mm_init(config.dma32Pages, config.normalPages, config.movablePages, config.cmaPages, machineFlags(config));
  }

  apply(ops: Int32Array, results?: Int32Array): Int32Array {
    const n = Math.floor(ops.length / 3);
    const out = resultsArray(n, results);
    const ptr = this.core.batch_buffer(Math.min(n, APPLY_CHUNK));
    for (let from = 0; from < n; from += APPLY_CHUNK) {
      const m = Math.min(APPLY_CHUNK, n - from);
      // view memory afresh each time: it may have grown (and its buffer moved) during the last chunk
      new Int32Array(this.core.memory.buffer, ptr, m * 3).set(ops.subarray(from * 3, (from + m) * 3));
      const ran = this.core.batch_apply(m);
      if (ran !== m) throw new Error(`unknown batch operation code ${ops[(from + ran) * 3]} at operation ${from + ran}`);
      out.set(new Int32Array(this.core.memory.buffer, this.core.batch_results_ptr(), m), from);
    }
    return out;
  }

  freeLists(): string[] {
    const lines: string[] = [];
    const max = this.core.mm_nr_pages();
    const dst = this.core.batch_buffer(Math.ceil(max / 3)); // room for max PFNs
    for (let z = 0; z < MAX_NR_ZONES; z++)
      for (let o = 0; o < NR_PAGE_ORDERS; o++)
        for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
          const n = this.core.free_list_walk(z, o, mt, dst, max);
          if (n === 0) continue;
          const pfns = new Uint32Array(this.core.memory.buffer, dst, n);
          lines.push(`${z} ${o} ${mt}: ${Array.from(pfns).join(" ")}`);
        }
    for (let z = 0; z < MAX_NR_ZONES; z++)
      for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
        const n = this.core.pcp_list_walk(z, pindex, dst, max);
        if (n === 0) continue;
        const pfns = new Uint32Array(this.core.memory.buffer, dst, n);
        lines.push(`pcp ${z} ${pindex}: ${Array.from(pfns).join(" ")}`);
      }
    return lines;
  }

  stateDigest(): number {
    return this.core.state_digest() >>> 0;
  }

  zones(): ZoneView[] {
    const views: ZoneView[] = [];
    for (let z = 0; z < MAX_NR_ZONES; z++) {
      this.core.fill_zone_view(z);
      const b = new Int32Array(this.core.memory.buffer, this.core.zone_view_ptr(), V_WORDS);
      if (b[V_MANAGED] === 0) continue;
      const at = (i: number): number => b[i]!;
      const freeCount: number[][] = [];
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const row: number[] = [];
        for (let o = 0; o < NR_PAGE_ORDERS; o++) row.push(at(V_FREE + mt * NR_PAGE_ORDERS + o));
        freeCount.push(row);
      }
      const range = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => at(from + i));
      views.push({
        name: zone_names[z]!,
        startPfn: at(V_START),
        managedPages: at(V_MANAGED),
        freeCount,
        blocks: range(V_BLOCKS, MIGRATE_TYPES),
        mixed: range(V_MIXED, MIGRATE_TYPES),
        nrFreePages: at(V_NR_FREE),
        nrFreeCmaPages: at(V_NR_CMA),
        nrFreeHighatomic: at(V_NR_HA),
        nrReservedHighatomic: at(V_RESERVED_HA),
        watermark: { min: at(V_MIN), low: at(V_LOW), high: at(V_HIGH) },
        watermarkBoost: at(V_BOOST),
        lowmemReserve: range(V_LOWMEM, MAX_NR_ZONES),
        pcp: { count: at(V_PCP_COUNT), high: at(V_PCP_HIGH), batch: at(V_PCP_BATCH), highMin: at(V_PCP_HIGH_MIN), highMax: at(V_PCP_HIGH_MAX) },
      });
    }
    return views;
  }

  pageblockTypes(): Uint8Array {
    const n = this.core.mm_nr_pages() / pageblock_nr_pages;
    return new Uint8Array(this.core.memory.buffer, this.core.pageblock_types_ptr(), n).slice();
  }

  checkInvariants(): string | null {
    const code = this.core.check_invariants();
    return code === 0 ? null : describeInvariant(code, this.core.invariant_pfn() >>> 0);
  }
}
