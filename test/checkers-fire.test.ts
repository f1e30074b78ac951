// The checkers catch what they claim: the debug build plants one fault of each kind (assembly/sim/plant.ts) as
// if one event's handler had the bug, and the run must stop at that event with the invariant that covers it,
// naming the page, zone or inode. Integrity faults are planted after a run, and each of the integrity check's
// counters must move by exactly what the fault implies. Every invariant code the core knows, every invariant of
// DESIGN.md section 5 and every integrity counter is covered (the last tests check the coverage itself).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { Simulator, type Integrity } from "../host/sim/simulator.js";
import { debugCore } from "../host/core/wasm.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { invariantMessages } from "../host/core/invariant-codes.js";
import type { Policy } from "../host/scenario/sim-config.js";

const NONE = 0xffffffff;
const debug = coreModuleSync("debug");


/** A small loaded machine: a writer, movable order-2 churn (allocations of order >= 1 and per-cpu lists of
 *  orders 0 and 2), unmovable order-0 churn, with the checker after every event. */
function machine(policy: Policy, dataMode = false, fuse: Record<string, unknown> = {}, lru = "classic"): Simulator {
  const config = resolveScenario({
    machine: { memory: "32M", lru },
    policy,
    fuse: { max_pages: 32, max_write: "128k", ...fuse },
    server: { threads: 2, per_request: { dist: "exponential", mean: "50us" } },
    workloads: [
      { type: "fio", rw: "write", bs: "64k", size: "8M", numjobs: 1 },
      { type: "churn", name: "anon", kind: "movable", order: 2, rate: 20000, lifetime: "2ms" },
      { type: "churn", name: "slab", kind: "unmovable", rate: 5000, lifetime: "5ms" },
    ],
    run: { check_invariants: true, data_mode: dataMode },
  }, "plant");
  return new Simulator(config, debug);
}

const ARM_AT = 400;

interface Case { kind: number; what: string; code: number; policy?: Policy; fuse?: Record<string, unknown>; lru?: "mglru" }
// kind: PLANT_* of assembly/sim/plant.ts; code: the invariant that must report it
const stateFaults: Case[] = [
  { kind: 1, code: 1, what: "a free list's head has a prev link" },
  { kind: 2, code: 2, what: "a free-list count off by one" },
  { kind: 3, code: 3, what: "a pageblock retyped under its free pages" },
  { kind: 4, code: 4, what: "a buddy listed one page off its alignment" },
  { kind: 5, code: 5, what: "a second buddy head inside a free block" },
  { kind: 6, code: 6, what: "a Normal buddy on a DMA32 list" },
  { kind: 7, code: 7, what: "a page both free and dirty" },
  { kind: 8, code: 8, what: "NR_FREE_PAGES off by one" },
  { kind: 9, code: 9, what: "NR_FREE_CMA_PAGES off by one" },
  { kind: 10, code: 10, what: "nr_free_highatomic off by one" },
  { kind: 11, code: 11, what: "a buddy on no free list" },
  { kind: 12, code: 12, what: "an allocation's tail page with another migratetype" },
  { kind: 13, code: 13, what: "an allocated page that forgets it is allocated" },
  { kind: 14, code: 14, what: "the non-empty-order mask names an empty list" },
  { kind: 15, code: 15, what: "a dirty block on a per-cpu list" },
  { kind: 16, code: 16, what: "a per-cpu count off by one" },
  { kind: 17, code: 17, what: "a pageblock of a type that does not exist" },
  { kind: 18, code: 18, what: "nr_reserved_highatomic without a HIGHATOMIC block" },
  { kind: 19, code: 19, what: "a runtime allocation (a `new`) after boot, over the arena's canary" },
  { kind: 20, code: 20, what: "a wrong nr_dirty" },
  { kind: 21, code: 21, what: "a wrong nr_writeback" },
  { kind: 22, code: 22, what: "a wrong nr_writeback_temp", policy: "legacy-copy" },
  { kind: 23, code: 23, what: "a lost temp page", policy: "legacy-copy" },
  { kind: 27, code: 23, what: "a temp page owned twice", policy: "legacy-copy" },
  { kind: 24, code: 24, what: "a block under writeback with no request" },
  { kind: 28, code: 24, what: "a folio under writeback carried twice" },
  { kind: 25, code: 25, what: "a dirty page missing from the DIRTY tag" },
  { kind: 26, code: 26, what: "an inode's dirty count off by one" },
  { kind: 29, code: 27, what: "NR_FILE_LRU off by one" },
  { kind: 30, code: 28, what: "more pages written back than dirtied" },
  { kind: 31, code: 29, what: "a write-through FUSE_WRITE naming another page", fuse: { writeback_cache: false } },
  { kind: 32, code: 30, what: "NR_SHMEM off by one" },
  { kind: 33, code: 31, what: "compaction leaves a free page isolated between events" },
  { kind: 34, code: 32, what: "a slab object freed by its request but still counted by its slab" },
  { kind: 35, code: 33, what: "a slab page on the LRU", policy: "legacy-copy" },
  { kind: 36, code: 34, what: "a large folio's write_bytes_pending off by one", fuse: { large_folios: true } },
  { kind: 37, code: 35, what: "a dirty inode on none of the wb's lists" },
  { kind: 38, code: 35, what: "a second chain of flusher events" },
  { kind: 39, code: 36, what: "a page-cache folio dropped from the file LRU" },
  { kind: 39, code: 36, what: "a page-cache folio dropped from its MGLRU generation", lru: "mglru" },
  { kind: 46, code: 37, what: "a block in use that the reports' map of free order-10 blocks calls free" },
];

const reported = new Set<number>();

for (const c of stateFaults) {
  const policy = c.policy ?? "nocopy";
  test(`${c.what} (${policy}): invariant ${c.code} at the event that planted it`, () => {
    const sim = machine(policy, false, c.fuse, c.lru);
    const core = debugCore(sim.allocator.core);
    core.debug_plant_fault(c.kind, ARM_AT);
    let error: Error | undefined;
    try {
      // every event before the plant is checked too: the machine is clean until then
      while (!sim.step(100).done);
    } catch (e) {
      error = e as Error;
    }
    const at = core.debug_planted_event();
    assert.ok(at >= ARM_AT, `planted (at event ${at}); the state it needs never came`);
    assert.ok(error, "the run finished without a report");
    const where = core.debug_planted_where() >>> 0;
    const expected = `after event ${at} (`;
    assert.ok(error.message.startsWith(expected), `${error.message}\n  should start with ${expected}`);
    assert.match(error.message, `: invariant ${c.code}: ${invariantMessages[c.code]}`);
    if (where !== NONE) assert.ok(error.message.endsWith(`(pfn or zone ${where})`), `${error.message}\n  should name ${where}`);
    reported.add(c.code);
  });
}

/** A finished run's integrity counters, then the same after the fault (integrity_check() again). */
function integrityDelta(kind: number, policy: Policy, dataMode: boolean): { before: Integrity; after: Integrity; ino: number; index: number; sim: Simulator } {
  const sim = machine(policy, dataMode);
  sim.run();
  const before = sim.integrity();
  const core = debugCore(sim.allocator.core);
  assert.ok(core.debug_plant_integrity(kind), "no page to plant on");
  core.integrity_check();
  return { before, after: sim.integrity(), ino: core.debug_planted_ino(), index: core.debug_planted_where(), sim };
}

type Counter = "pagesWritten" | "writesPersisted" | "writesLost" | "corrupt" | "pending" | "filesWithErrors" | "writesLostSilently";
const COUNTERS: readonly Counter[] = ["pagesWritten", "writesPersisted", "writesLost", "corrupt", "pending", "filesWithErrors", "writesLostSilently"];
interface IntegrityCase { kind: number; what: string; delta: Partial<Record<Counter, number>>; dataMode?: boolean; policy?: Policy }
// Each fault turns one persisted page into what the delta says, and nothing else changes.
const integrityFaults: IntegrityCase[] = [
  { kind: 40, what: "a byte changed in the server's store (data mode)", dataMode: true, delta: { writesPersisted: -1, corrupt: 1 } },
  { kind: 41, what: "the server holds a version no writer wrote", delta: { writesPersisted: -1, corrupt: 1 } },
  { kind: 42, what: "an acknowledged write gone without an error", delta: { writesPersisted: -1, corrupt: 1 }, policy: "legacy-copy" },
  // the run ended healthy, so no file had an error before: filesWithErrors goes from 0 to 1
  { kind: 43, what: "a write lost with an error on its mapping", delta: { writesPersisted: -1, writesLost: 1, filesWithErrors: 1 } },
  { kind: 44, what: "a page dirty again, not yet sent", delta: { writesPersisted: -1, pending: 1 } },
  { kind: 45, what: "a page the page cache forgets was written", delta: { pagesWritten: -1, writesPersisted: -1 } },
  { kind: 46, what: "a page left clean and unwritten by ->writepage (6.1/6.6 reclaim)", delta: { writesPersisted: -1, writesLostSilently: 1 } },
];
const moved = new Set<Counter>();

for (const c of integrityFaults) {
  const policy = c.policy ?? "nocopy";
  test(`integrity: ${c.what} (${policy})`, () => {
    const { before, after, ino, index, sim } = integrityDelta(c.kind, policy, c.dataMode ?? false);
    // the healthy run persisted everything it wrote: 8 MiB = 2048 pages
    assert.equal([before.pagesWritten, before.writesPersisted, before.corrupt, before.writesLost, before.pending, before.filesWithErrors, before.writesLostSilently], [2048, 2048, 0, 0, 0, 0, 0]);
    for (const k of COUNTERS) {
      assert.is(after[k] - before[k], c.delta[k] ?? 0, k);
      if ((c.delta[k] ?? 0) !== 0) moved.add(k);
    }
    if ((c.delta.corrupt ?? 0) > 0) assert.equal(sim.firstCorrupt(), { ino, index }, "the first corrupt page is the planted one");
    else assert.is(sim.firstCorrupt(), null);
  });
}

test("every invariant code the core reports is shown to fire", () => {
  assert.equal([...reported].sort((a, b) => a - b), Object.keys(invariantMessages).map(Number).sort((a, b) => a - b));
});

test("every integrity counter is shown to move", () => {
  assert.equal([...moved].sort(), [...COUNTERS].sort());
});

// DESIGN.md section 5, invariant by invariant, and the codes whose planted faults show it is checked.
const design5: Record<string, number[]> = {
  "free counts equal the free lists": [2, 8, 9, 10, 11, 14, 16, 37],
  "a free page is never dirty, under writeback, mapped or referenced": [7, 15],
  "buddy blocks are aligned and never overlap allocated pages": [4, 5, 6, 12, 13],
  "pageblock migratetype counts add up": [3, 17, 18],
  "every temp page belongs to exactly one in-flight request": [23],
  "every folio under writeback is in exactly one request or pipe": [24],
  "nr_writeback / nr_writeback_temp equal their recount": [20, 21, 22, 25, 26],
};

test("every invariant of DESIGN.md section 5 has faults that fire", () => {
  for (const [what, codes] of Object.entries(design5)) for (const code of codes) assert.ok(reported.has(code), `${what}: code ${code}`);
  // the last one, "no write acknowledged to the writer is lost unless an abort recorded an error on its mapping",
  // is the integrity check's corrupt count, which the faults above move
  assert.ok(moved.has("corrupt"));
});

test.run();
