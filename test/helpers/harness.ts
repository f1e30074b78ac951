// Typed access to the core's test harness (assembly/sim/harness.ts) for writeback tests.
import { Simulator } from "../../host/sim/simulator.js";
import { coreModuleSync } from "../../host/core/load-node.js";
import { resolveScenario } from "../../host/scenario/resolve.js";
import type { Policy } from "../../host/scenario/sim-config.js";

interface HarnessExports {
  harness_do_write(j: number, off: number, len: number): number;
  harness_writeback(ino: number): number;
  harness_server_read(): number;
  harness_server_reply(req: number): void;
  harness_req_pages(req: number): number;
  harness_req_start(req: number): number;
  harness_req_pfn(req: number, i: number): number;
  harness_req_next(req: number): number;
  harness_mapping_pfn(ino: number, index: number): number;
  harness_page_info(pfn: number): number;
  harness_redirty(ino: number, index: number): number;
  harness_page_version(ino: number, index: number): number;
  harness_server_version(ino: number, index: number): number;
  rbtree_count(ino: number): number;
  harness_migrate_pfn(pfn: number, mode: number): number;
  harness_server_read_spliced(): number;
  harness_get_page(pfn: number): void;
  // the dirty throttle (assembly/sim/harness.ts)
  harness_dtc_set(strict: number, thresh: number, bgThresh: number, dirty: number, wbThresh: number, wbBgThresh: number, wbDirty: number, dirtyLimit: number): void;
  harness_wb_set(writeBw: number, avgWriteBw: number, dirtyRatelimit: number, balanced: number): void;
  harness_wb_stamps_set(dirtiedStamp: number, writtenStamp: number): void;
  harness_pos_ratio_polynom(setpoint: number, dirty: number, limit: number): number;
  harness_wb_position_ratio(): number;
  harness_dirty_poll_interval(dirty: number, thresh: number): number;
  harness_bdp_pause(pagesDirtied: number, think: number): void;
  harness_bdp_result(i: number): number;
  harness_wb_calc_thresh(thresh: number): number;
  harness_wb_writeout(nr: number): void;
  harness_wb_update_dirty_ratelimit(dirtied: number, elapsed: number): void;
  harness_wb_update_write_bandwidth(elapsed: number, written: number): void;
  harness_wb_estimate(i: number): number;
  harness_totalreserve_pages(): number;
}

export const NONE = 0xffffffff;
export const WRITE_DONE = 0, WRITE_BLOCKED_WB = 1;
export const MIGRATE_ASYNC = 0, MIGRATE_SYNC_LIGHT = 1, MIGRATE_SYNC = 2;
// assembly/mm/migrate.ts results
export const MIGRATEPAGE_SUCCESS = 0, EAGAIN = -11, EBUSY = -16, ENOTMOVABLE = -95, MIGRATE_WAIT = 1;
// assembly/mm/page.ts flags
export const PG_buddy = 1 << 0, PG_owner = 1 << 3, PG_dirty = 1 << 4, PG_writeback = 1 << 5;
export const PG_folio_dirty = 1 << 8, PG_folio_writeback = 1 << 9, PG_temp = 1 << 11;

/** A 64 MiB machine, one file of `filePages` pages, a server that acts only when told. `machine` and `fuse` are
 *  merged into the scenario's sections (the writeback cache is on by default, so page cache is order 0 unless forced). */
/** A policy as a scenario gives it: a preset's name, or { "preset", and mechanisms of its own }. */
export type ScenarioPolicy = Policy | { preset?: Policy; [mechanism: string]: unknown };

export function harness(policy: ScenarioPolicy, filePages = 1024, server: Record<string, unknown> = {}, machine: Record<string, unknown> = {}, fuse: Record<string, unknown> = {}) {
  const config = resolveScenario({
    machine: { memory: "64M", ...machine },
    fuse,
    policy,
    server,
    workloads: [{ type: "fio", rw: "write", bs: "4k", size: filePages * 4096, numjobs: 1 }],
  }, "harness");
  const sim = new Simulator(config, coreModuleSync("debug"), undefined, "harness");
  const raw = sim.allocator.core as unknown as HarnessExports;
  // u32 results come back from WASM as signed i32: NONE would read as -1
  const u = <A extends unknown[]>(f: (...a: A) => number) => (...a: A): number => f(...a) >>> 0;
  const h: HarnessExports = {
    ...raw,
    harness_server_read: u(raw.harness_server_read),
    harness_server_read_spliced: u(raw.harness_server_read_spliced),
    harness_req_pfn: u(raw.harness_req_pfn),
    harness_req_next: u(raw.harness_req_next),
    harness_mapping_pfn: u(raw.harness_mapping_pfn),
  };
  return {
    sim,
    h,
    page: (pfn: number) => {
      const v = h.harness_page_info(pfn) >>> 0;
      return { flags: v & 0xffff, order: (v >>> 16) & 0xff, allocMt: v >>> 24 };
    },
    stat: (name: Parameters<Simulator["stat"]>[0]) => sim.stat(name),
    ok: () => {
      const bad = sim.checkInvariants();
      if (bad) throw new Error(bad);
    },
  };
}

interface MmHarnessExports {
  harness_direct_compact(gfp: number, order: number, prio: number): number;
  harness_alloc_may_reclaim(gfp: number, order: number): number;
  harness_thp_fault(order: number): number;
  harness_try_to_free_pages(gfp: number, order: number): number;
  harness_compaction_suitable(z: number, order: number, w: number, highest: number): number;
  harness_compact_state(z: number, field: number): number;
  harness_pageblock_skip(pfn: number): number;
  harness_zone_boosted(z: number): number;
  harness_kswapd_awake(): number;
  harness_kswapd(): void;
  harness_wakeup_kcompactd(order: number, highest: number): void;
  harness_kcompactd(): void;
  harness_kcompactd_awake(): number;
  harness_kcompactd_timer(): number;
  harness_fragmentation_score(): number;
  harness_alloc_contig(order: number): number;
  harness_anon_alloc(gfp: number, order: number): number;
}

// assembly/mm/direct_compact.ts: enum compact_priority; host/core/constants.ts has the GFP masks
export const COMPACT_PRIO_SYNC_LIGHT = 1, COMPACT_PRIO_ASYNC = 2;
/** harness_compact_state() fields */
export const CACHED_MIGRATE_ASYNC = 0, CACHED_MIGRATE_SYNC = 1, CACHED_FREE = 2, DEFER_SHIFT = 3, CONSIDERED = 4,
  ORDER_FAILED = 5, BLOCKSKIP_FLUSH = 6;

/** A machine for the allocator's background machinery (no writer runs): `machine` and `sysctl` as in a scenario;
 *  allocations and frees go through the batch API (pages with no owner: anon-like, migratable if movable). */
export function mmHarness(machine: Record<string, unknown>, sysctl: Record<string, unknown> = {}, policy: Policy = "nocopy", fileSize = "64k") {
  const config = resolveScenario({
    machine: { ...machine, sysctl },
    policy,
    workloads: [{ type: "fio", rw: "write", bs: "4k", size: fileSize, numjobs: 1 }],
  }, "mm-harness");
  const sim = new Simulator(config, coreModuleSync("debug"), undefined, "harness");
  const raw = sim.allocator.core as unknown as MmHarnessExports & HarnessExports;
  const u = <A extends unknown[]>(f: (...a: A) => number) => (...a: A): number => f(...a) >>> 0;
  const mm: MmHarnessExports = {
    ...raw,
    harness_direct_compact: u(raw.harness_direct_compact),
    harness_alloc_may_reclaim: u(raw.harness_alloc_may_reclaim),
    harness_thp_fault: u(raw.harness_thp_fault),
    harness_compact_state: u(raw.harness_compact_state),
    harness_anon_alloc: u(raw.harness_anon_alloc),
  };
  return {
    sim,
    mm,
    h: raw as HarnessExports,
    alloc: (gfp: number, order: number): number => sim.allocator.apply(new Int32Array([1, gfp, order]))[0]!,
    free: (pfn: number, order: number): void => { sim.allocator.apply(new Int32Array([2, pfn, order])); },
    stat: (name: Parameters<Simulator["stat"]>[0]) => sim.stat(name),
    zone: (name: string) => sim.zones().find((z) => z.name === name)!,
    ok: () => {
      const bad = sim.checkInvariants();
      if (bad) throw new Error(bad);
    },
  };
}
