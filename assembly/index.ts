// The WASM core's exported API: flat functions on numbers, and batches in linear memory.
// host/core/wasm-allocator.ts is its typed wrapper; nothing here is called once per page by the host.
import { OP_ALLOC, OP_FREE, OP_VMSTAT_REFRESH, ALLOC_FAILED, EINVAL, NONE } from "./mm/constants";
import { mm_boot } from "./mm/boot";
import { __alloc_pages, __free_pages, is_allocation_head } from "./mm/page_alloc";
import { nr_pages, pb_mt, BYTES_PER_PAGE } from "./mm/page";
import { check_allocator, debug_vm_pfn } from "./mm/debug_vm";

export { fill_zone_view, zone_view_ptr, state_digest, free_list_walk, pcp_list_walk, ZONE_VIEW_WORDS } from "./mm/vmstat";
export { drain_all_pages } from "./mm/pcp";
import { refresh_cpu_vm_stats } from "./mm/pcp";
import { arena_alloc } from "./sim/arena";

/** Boots a machine; call once per instance. flags: bit 0 largest-steal fallback, bit 1 grouping disabled,
 *  bit 2 per-cpu lists disabled (boot pageset: high 0, batch 1), bit 3 THP enabled (khugepaged raises
 *  min_free_kbytes). */
export function mm_init(dma32: u32, normal: u32, movable: u32, cma: u32, flags: u32): void {
  mm_boot(dma32, normal, movable, cma, flags & 1, (flags & 2) != 0, (flags & 4) == 0, (flags & 8) != 0, (flags & 16) != 0, (flags & 32) == 0);
}

export function mm_nr_pages(): u32 { return nr_pages; }
export function mm_bytes_per_page(): u32 { return BYTES_PER_PAGE; }
export function pageblock_types_ptr(): usize { return pb_mt; }

let batch_ptr: usize = 0;
let batch_results: usize = 0;
let batch_cap: u32 = 0;
/** Room for n operations of 3 words each, (op, arg0, arg1); reused across calls. */
export function batch_buffer(n: u32): usize {
  if (n > batch_cap) {
    batch_ptr = arena_alloc(<usize>n * 12);
    batch_results = arena_alloc(<usize>n << 2);
    batch_cap = n;
  }
  return batch_ptr;
}
/** One i32 result per operation of the last batch_apply(). */
export function batch_results_ptr(): usize { return batch_results; }

/** Runs n operations from the batch buffer: (OP_ALLOC, gfp, order) -> PFN or ALLOC_FAILED;
 *  (OP_FREE, pfn, order) -> 0 or EINVAL; (OP_VMSTAT_REFRESH, 0, 0) -> 0. Stops early at an unknown op code and
 *  returns how many ran. Order 0 (page cache, slab: most requests) has its own inlined copy of the alloc and free
 *  paths with the order a constant, so the compiler folds what depends on it (pcp_allowed_order(),
 *  order_to_pindex(), the watermark's free-block test, prep_new_page()'s and __free_pages()' tail-page loops):
 *  the same code run with order = 0, 10-12 % faster on the order-0 allocator benchmark. */
export function batch_apply(n: u32): u32 {
  let at = batch_ptr, result = batch_results;
  for (let i: u32 = 0; i < n; i++, at += 12, result += 4) {
    const op = load<i32>(at);
    const a = load<u32>(at, 4);
    const b = load<u32>(at, 8);
    let r: i32 = 0;
    if (op == OP_ALLOC) {
      const pfn = b == 0 ? __alloc_pages(a, 0) : __alloc_pages(a, b);
      r = pfn == NONE ? ALLOC_FAILED : <i32>pfn;
    } else if (op == OP_FREE) {
      if (b == 0) {
        if (is_allocation_head(a, 0)) __free_pages(a, 0); else r = EINVAL;
      } else {
        if (is_allocation_head(a, b)) __free_pages(a, b); else r = EINVAL;
      }
    } else if (op == OP_VMSTAT_REFRESH) {
      refresh_cpu_vm_stats();
    } else {
      return i;
    }
    store<i32>(result, r);
  }
  return n;
}

export function check_invariants(): i32 { return check_allocator(); }
export function invariant_pfn(): u32 { return debug_vm_pfn; }

// The writeback simulation (issue 3): configure through cfg_ptr()/jobs_ptr()/cost_ptr(), then sim_init().
export { sim_init, sim_run, sim_now, sim_sync_all, sim_all_clean, sim_writers_blocked, samples_ptr, samples_count, SAMPLE_WORDS, integrity_check, integrity_ptr, INTEGRITY_WORDS } from "./sim/run";
import { cfg, jobs, cost, wl } from "./sim/config";
import { stat } from "./fs/stats";
import { sim_invariant_pfn, check_sim_invariants } from "./sim/debug";
export function cfg_ptr(): usize { return changetype<usize>(cfg); }
export function jobs_ptr(): usize { return changetype<usize>(jobs); }
export function cost_ptr(): usize { return changetype<usize>(cost); }
export function workloads_ptr(): usize { return changetype<usize>(wl); }
export function stats_ptr(): usize { return changetype<usize>(stat); }
export function sim_check_invariants(): i32 { return check_sim_invariants(); }
export function sim_invariant_where(): u32 { return sim_invariant_pfn; }
import { popped_type, popped_arg } from "./sim/clock";
/** The event sim_run() dispatched last: an invariant failure is reported with the event it followed. */
export function sim_last_event_type(): u32 { return popped_type; }
export function sim_last_event_arg(): u32 { return popped_arg; }
import { data_frames_peak } from "./sim/data";
/** Data mode: the most page frames holding file data at once (what a run that ran out of memory needed). */
export function sim_data_frames_peak(): u32 { return data_frames_peak; }

// The test hooks (the writeback harness, the rb-tree's pokes, the fault plants) are not here: they are exported
// by the debug build only (assembly/debug_index.ts).
export { pageblock_map_fill, MAP_WORDS } from "./sim/pageblock_map";
export { bdi_stats_fill, BDI_STATS_WORDS } from "./fs/bdi_stats";
export { fio_runtimes_ptr, fio_run_bytes_ptr } from "./fs/writer";
export { slab_stats_fill, SLAB_CACHE_WORDS, NR_SLAB_CACHES } from "./mm/slab";
export * from "./mm/from_census";
