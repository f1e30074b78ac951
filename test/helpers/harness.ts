// Typed access to the core's test harness (assembly/sim/harness.ts) for writeback tests.
import { Simulator } from "../../host/sim/simulator.js";
import { coreModuleSync } from "../../host/core/load-node.js";
import { debugCore, type DebugCoreExports } from "../../host/core/wasm.js";
import { resolveScenario } from "../../host/scenario/resolve.js";
import type { Policy } from "../../host/scenario/sim-config.js";

type HarnessExports = DebugCoreExports;

export const NONE = 0xffffffff;
export const WRITE_DONE = 0, WRITE_BLOCKED_WB = 1;
// assembly/fs/writer.ts: a writer blocked inside its fsync walk on a folio under writeback
export const W_WAIT_FSYNC_FOLIO = 6;
export const MIGRATE_ASYNC = 0, MIGRATE_SYNC_LIGHT = 1, MIGRATE_SYNC = 2;
// assembly/mm/migrate.ts results
export const MIGRATEPAGE_SUCCESS = 0, EAGAIN = -11, EBUSY = -16, ENOTMOVABLE = -95, MIGRATE_WAIT = 1;
// assembly/mm/page.ts flags
export const PG_buddy = 1 << 0, PG_owner = 1 << 3, PG_dirty = 1 << 4, PG_writeback = 1 << 5;
export const PG_folio_dirty = 1 << 8, PG_folio_writeback = 1 << 9, PG_temp = 1 << 11;

/** A 64 MiB machine, one file (or `files`) of `filePages` pages, a server that acts only when told. `machine` and `fuse` are
 *  merged into the scenario's sections (the writeback cache is on by default, so page cache is order 0 unless forced). */
/** A policy as a scenario gives it: a preset's name, or { "preset", and mechanisms of its own }. */
export type ScenarioPolicy = Policy | { preset?: Policy; [mechanism: string]: unknown };

export function harness(policy: ScenarioPolicy, filePages = 1024, server: Record<string, unknown> = {}, machine: Record<string, unknown> = {}, fuse: Record<string, unknown> = {}, files = 1) {
  const config = resolveScenario({
    machine: { memory: "64M", ...machine },
    fuse,
    policy,
    server,
    workloads: [{ type: "fio", rw: "write", bs: "4k", size: filePages * 4096, numjobs: files }],
  }, "harness");
  const sim = new Simulator(config, coreModuleSync("debug"), undefined, "harness");
  const raw = debugCore(sim.allocator.core);
  // u32 results come back from WASM as signed i32: NONE would read as -1
  const u = <A extends unknown[]>(f: (...a: A) => number) => (...a: A): number => f(...a) >>> 0;
  const h: HarnessExports = {
    ...raw,
    harness_server_read: u(raw.harness_server_read),
    harness_server_work: u(raw.harness_server_work),
    harness_server_dev_pfn: u(raw.harness_server_dev_pfn),
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

type MmHarnessExports = DebugCoreExports;

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
  const raw = debugCore(sim.allocator.core);
  const u = <A extends unknown[]>(f: (...a: A) => number) => (...a: A): number => f(...a) >>> 0;
  const mm: MmHarnessExports = {
    ...raw,
    harness_direct_compact: u(raw.harness_direct_compact),
    harness_alloc_may_reclaim: u(raw.harness_alloc_may_reclaim),
    harness_thp_fault: u(raw.harness_thp_fault),
    harness_thp_fault_nomadvise: u(raw.harness_thp_fault_nomadvise),
    harness_compact_state: u(raw.harness_compact_state),
    harness_anon_alloc: u(raw.harness_anon_alloc),
    harness_contig_wait_pfn: u(raw.harness_contig_wait_pfn),
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
