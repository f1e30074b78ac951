// Sleeps in direct reclaim (mm/vmscan.c reclaim_throttle(), 6.1.192 and 6.12.118): a user task whose sweep of every
// priority reclaimed nothing sleeps at priority 1 (consider_reclaim_throttle(), VMSCAN_THROTTLE_NOPROGRESS), and one
// that reclaims while kswapd has marked the node congested sleeps in every shrink_node() (VMSCAN_THROTTLE_CONGESTED).
// Each sleep is schedule_timeout(1), whose timer fires at the start of the second tick from now (HZ 250 here: 4 ms
// ticks; kernel/time/timer.c calc_index() rounds the expiry up a tick). Kernel threads only cond_resched(), and
// nobody sleeps while at most half the file LRU is dirty or under writeback (skip_throttle_noprogress()).
// The 16 MiB Normal-only machine of test/oom-path.test.ts; the harness starts no flusher and no server, so pages
// written stay dirty and pages sent stay under writeback.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, harness, NONE } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, GFP_ATOMIC, ALLOC_FAILED } from "../host/core/constants.js";
import { CTX } from "../host/gen/contract.js";
import { resolveScenario } from "../host/scenario/resolve.js";
import { Simulator } from "../host/sim/simulator.js";
import { coreModuleSync } from "../host/core/load-node.js";
import { debugCore } from "../host/core/wasm.js";

type H = ReturnType<typeof mmHarness>;
const MS = 1_000_000;

/** Direct reclaim for a page-cache page by context `ctx` at 1 ms (a quarter into the first 4 ms tick): the pages it
 *  reclaimed and the time it slept (the context's charge: reclaim itself costs no virtual time). */
function reclaimAt1ms(t: H, ctx: number): [number, number] {
  t.h.harness_set_now(1 * MS);
  t.h.harness_run_on(ctx, 0);
  t.h.harness_charge_reset();
  const reclaimed = t.mm.harness_try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0);
  return [reclaimed, t.h.harness_charge_reset()];
}

function dirtyPages(t: H, from: number, n: number): void {
  for (let i = from; i < from + n; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
}

/** n sleeps from 1 ms (tick 0), each to the start of the second tick after it began: 7 ms to tick 2, then 8 ms each. */
const sleptFrom1ms = (n: number): number => (n === 0 ? 0 : (7 + 8 * (n - 1)) * MS);

test("a writer whose sweeps reclaim nothing sleeps a tick or two at priority 1 of each: three sweeps on 6.16, two on 6.1", () => {
  // four dirty pages: the whole file LRU, none reclaimable (direct reclaim never writes a page). write_pending 4,
  // reclaimable 4: 2 * 4 > 4, so skip_throttle_noprogress() does not apply. The first sweep marks the pages
  // PG_reclaim and activates them, and with the inactive list not low (inactive_is_low()) leaves the active list
  // alone (skipped_deactivate). do_try_to_free_pages() then sweeps again: on 6.12+ with memcg_full_walk ("Avoid
  // false OOMs"), then on every kernel with force_deactivate. One sleep per sweep (allocstall counts the sweeps):
  // 6.16 1 -> 8 -> 16 -> 24 ms, 6.1 1 -> 8 -> 16 ms
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  dirtyPages(t, 0, 4);
  assert.equal(reclaimAt1ms(t, CTX.WRITER), [0, sleptFrom1ms(3)]);
  assert.equal([t.stat("allocstall_normal"), t.stat("reclaim_throttle_noprogress"), t.stat("reclaim_throttle_congested")], [3, 3, 0]);
  assert.is(t.stat("reclaim_throttle_ns"), 23 * MS);
  t.ok();
  const old = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false, kernel: "6.1" }, {}, "legacy-copy", "1M");
  dirtyPages(old, 0, 4);
  assert.equal(reclaimAt1ms(old, CTX.WRITER), [0, sleptFrom1ms(2)]);
  assert.equal([old.stat("allocstall_normal"), old.stat("reclaim_throttle_noprogress")], [2, 2]);
  old.ok();
});

test("the flusher (a kworker) and kcompactd do not sleep in reclaim_throttle(); a server thread does", () => {
  for (const [ctx, slept] of [[CTX.FLUSHER, 0], [CTX.KCOMPACTD, 0], [CTX.SERVER, sleptFrom1ms(3)]] as const) {
    const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
    dirtyPages(t, 0, 4);
    assert.equal(reclaimAt1ms(t, ctx), [0, slept], `context ${ctx}`);
    t.ok();
  }
});

test("no sleep while at most half the file LRU is dirty or under writeback (2 * write_pending <= reclaimable)", () => {
  // eight clean pages that a pipe holds (a spliced page's reference: __remove_mapping() cannot free them), so reclaim
  // frees nothing, then dirty pages beside them
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  for (let i = 0; i < 8; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
  for (let n = t.h.harness_writeback(0); n > 0; n = t.h.harness_writeback(0))
    for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  assert.is(t.stat("nr_dirty"), 0);
  for (let i = 0; i < 8; i++) t.h.harness_get_page(t.h.harness_mapping_pfn(0, i) >>> 0);
  // 8 dirty of 16: 2 * 8 <= 16, no sleep in any sweep
  dirtyPages(t, 8, 8);
  assert.equal(reclaimAt1ms(t, CTX.WRITER), [0, 0]);
  assert.ok(t.stat("allocstall_normal") >= 2);
  assert.is(t.stat("reclaim_throttle_noprogress"), 0);
  // 9 dirty of 17: 18 > 17, one sleep per sweep
  dirtyPages(t, 16, 1);
  const sweeps = t.stat("allocstall_normal");
  const [reclaimed, slept] = reclaimAt1ms(t, CTX.WRITER);
  const n = t.stat("allocstall_normal") - sweeps;
  assert.equal([reclaimed, slept, t.stat("reclaim_throttle_noprogress")], [0, sleptFrom1ms(n), n]);
  assert.ok(n >= 2, `${n} sweeps`);
});

test("kswapd marks the node congested when every folio it took was under writeback and already PG_reclaim; a writer's reclaim then sleeps in every shrink_node()", () => {
  // copy-free: 64 pages sent to a server that never answers stay under writeback on the file LRU. Unmovable
  // allocations bring the zone under its watermarks and kswapd runs. Its first pass meets the 64 folios for the
  // first time (PG_reclaim set, activated): nr.dirty counts them, nr.congested does not. More allocations, a second
  // pass: it meets them again, marked, still under writeback: nr.dirty == nr.congested, LRUVEC_NODE_CONGESTED
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  dirtyPages(t, 0, 64);
  assert.is(t.h.harness_writeback(0), 1);
  assert.is(t.stat("nr_writeback"), 64);
  const marks: boolean[] = [];
  for (let pass = 0; pass < 2; pass++) {
    while (t.alloc(GFP_KERNEL, 0) !== ALLOC_FAILED);
    t.h.harness_kswapd();
    marks.push(Boolean(t.h.harness_node_congested()));
  }
  assert.equal(marks, [false, true]);
  assert.is(t.stat("pgsteal_kswapd"), 0);
  // The writer's direct reclaim: each sweep's 13 shrink_node() calls (priorities 12-0) sleep for CONGESTED, and
  // priority 1 once more for NOPROGRESS (2 * 64 written back pending > 64 on the LRU: no skip)
  const sweeps = t.stat("allocstall_normal");
  const [reclaimed, slept] = reclaimAt1ms(t, CTX.WRITER);
  const n = t.stat("allocstall_normal") - sweeps;
  assert.ok(n >= 2, `${n} sweeps`);
  assert.equal([reclaimed, t.stat("reclaim_throttle_congested"), t.stat("reclaim_throttle_noprogress")], [0, 13 * n, n]);
  assert.is(slept, sleptFrom1ms(14 * n));
  t.ok();
});

test("kswapd finding the node balanced clears the mark (clear_pgdat_congested()); kernel threads never sleep on it", () => {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  dirtyPages(t, 0, 64);
  t.h.harness_writeback(0);
  const taken: number[] = [];
  for (let pass = 0; pass < 2; pass++) {
    for (let p = t.alloc(GFP_KERNEL, 0); p !== ALLOC_FAILED; p = t.alloc(GFP_KERNEL, 0)) taken.push(p);
    t.h.harness_kswapd();
  }
  assert.ok(t.h.harness_node_congested());
  // the flusher's reclaim does not sleep on the mark
  assert.equal(reclaimAt1ms(t, CTX.FLUSHER), [0, 0]);
  assert.is(t.stat("reclaim_throttle_congested"), 0);
  // memory comes back: kswapd, woken again, finds the node balanced and clears the mark before it sleeps
  for (const p of taken) t.free(p, 0);
  t.h.harness_kswapd();
  assert.not.ok(t.h.harness_node_congested());
  const [, slept] = reclaimAt1ms(t, CTX.WRITER);
  assert.is(t.stat("reclaim_throttle_congested"), 0);
  assert.is(slept, sleptFrom1ms(t.stat("reclaim_throttle_noprogress")));
  t.ok();
});

/** Copy-free, 64 pages under writeback in requests of `maxPages`, the zone under its watermarks, then one kswapd
 *  event: true when kswapd went to sleep inside its pass. */
function kswapdMeetsWriteback(maxPages: number, lru = "classic") {
  const t = harness("nocopy", 256, {}, { memory: "16M", dma32: 0, thp: false, pcp: false, lru }, { max_pages: maxPages });
  for (let i = 0; i < 64; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
  while (t.h.harness_writeback(0) > 0);
  assert.is(t.stat("nr_writeback"), 64);
  while (t.sim.allocator.apply(new Int32Array([1, GFP_KERNEL, 0]))[0] !== ALLOC_FAILED);
  const asleep = Boolean(t.h.harness_kswapd_event(0));
  return { t, asleep };
}

test("kswapd meeting folios it marked still under writeback sleeps HZ/10 (VMSCAN_THROTTLE_WRITEBACK), until more than 32 pages finish writeback", () => {
  // its first shrink_node() takes only folios under writeback: PG_reclaim on each (nr.writeback == nr.taken:
  // PGDAT_WRITEBACK); a later one meets them again, marked, with PGDAT_WRITEBACK set: nr_immediate, so kswapd sleeps
  // in reclaim_throttle(): timeout HZ/10 = 25 ticks from jiffy 0 of the run, whose timer fires at the start of tick
  // 26 (the wheel's round-up), 104 ms
  const { t, asleep } = kswapdMeetsWriteback(32);
  assert.ok(asleep);
  assert.is(t.stat("kswapd_throttle_writeback"), 1);
  assert.is(t.h.harness_kswapd_sleep_until(), 104 * MS);
  // __acct_reclaim_writeback(): the server answers one request of 32 pages at 5 ms: 32 is not more than
  // SWAP_CLUSTER_MAX * 1 throttled task, so kswapd sleeps on; the second request's end (64) wakes it then
  t.h.harness_set_now(5 * MS);
  const reply = (): void => { const r = t.h.harness_server_read() >>> 0; assert.ok(r !== NONE); t.h.harness_server_reply(r); };
  reply();
  assert.is(t.stat("nr_writeback"), 32);
  assert.is(t.h.harness_kswapd_sleep_until(), 104 * MS);
  t.h.harness_set_now(6 * MS);
  t.h.harness_charge_reset(); // the reply's event starts at 6 ms
  reply();
  // wake_up() comes from the reply's context at its own time: 6 ms plus the work it did before the page that took
  // the count past 32 ended writeback (microseconds)
  const woke = t.h.harness_kswapd_sleep_until();
  assert.ok(woke > 6 * MS && woke < 6 * MS + 10_000, `woken at ${woke} ns`);
  // the wake-up event, when it comes: the pass goes on from there
  t.h.harness_set_now(woke);
  assert.not.ok(t.h.harness_kswapd_event(1));
  assert.is(t.stat("kswapd_throttle_ns"), woke);
  t.ok();
});

test("MGLRU's shrink_node() returns before the kswapd throttle: no VMSCAN_THROTTLE_WRITEBACK sleep", () => {
  const { t, asleep } = kswapdMeetsWriteback(32, "mglru");
  assert.not.ok(asleep);
  assert.is(t.stat("kswapd_throttle_writeback"), 0);
  t.ok();
});

test("a churn workload allocates again only after its allocation returned: its reclaim's sleeps come first", () => {
  // The first test's machine and dirty file LRU (256 pages: enough that should_reclaim_retry() would retry, so no OOM
  // kill), memory taken down to the min watermark, and a churn workload at 10^9 allocations a second (an
  // interarrival time of about 1 ns). Its allocation fails; its direct reclaim sweeps three times with nothing
  // reclaimed and sleeps in each (1 -> 8 -> 16 -> 24 ms); the next allocation is scheduled after that
  const config = resolveScenario({
    machine: { memory: "16M", dma32: 0, thp: false, pcp: false },
    policy: "nocopy",
    workloads: [
      { type: "fio", rw: "write", bs: "4k", size: "1M" },
      { type: "churn", name: "hog", kind: "movable", rate: 1e9, lifetime: "1h" },
    ],
  }, "churn-sleeps");
  const sim = new Simulator(config, coreModuleSync("debug"), undefined, "harness");
  const h = debugCore(sim.allocator.core);
  for (let i = 0; i < 256; i++) assert.is(h.harness_do_write(0, i * 4096, 4096), 0);
  while (sim.allocator.apply(new Int32Array([1, GFP_HIGHUSER_MOVABLE, 0]))[0] !== ALLOC_FAILED);
  h.harness_set_now(1 * MS);
  h.harness_run_on(CTX.WORKLOAD, 0);
  h.harness_churn_alloc(0);
  assert.is(sim.stat("churn_alloc_fails"), 1);
  assert.is(sim.stat("reclaim_throttle_noprogress"), 3);
  const after = h.harness_churn_next_alloc_at(0) - 1 * MS;
  assert.ok(after >= sleptFrom1ms(3) && after < sleptFrom1ms(3) + 1000, `next allocation ${after} ns after this one`);
});

test("throttle_direct_reclaim() is counted, not modelled: a user task's direct reclaim with the free pages at most half the min watermarks, while kswapd has not given up", () => {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, {}, "nocopy", "1M");
  const reclaimBy = (ctx: number): number => {
    t.h.harness_run_on(ctx, 0);
    t.mm.harness_try_to_free_pages(GFP_HIGHUSER_MOVABLE, 0);
    return t.stat("direct_reclaim_unthrottled");
  };
  // movable pages down to the min watermark: 128 free, above half of it (64): allow_direct_reclaim() is true
  while (t.alloc(GFP_HIGHUSER_MOVABLE, 0) !== ALLOC_FAILED);
  assert.is(t.zone("Normal").nrFreePages, 128);
  assert.is(reclaimBy(CTX.WRITER), 0);
  // GFP_ATOMIC below it: ALLOC_MIN_RESERVE halves min to 64, ALLOC_NON_BLOCK takes a quarter of that, 48. 48 free is
  // not above 64. The zone has no file LRU, so zone_reclaimable_pages() counts its free pages (6.1.192 and 6.12.118)
  // and the zone is not skipped: the kernel would hold each user task in throttle_direct_reclaim()
  while (t.alloc(GFP_ATOMIC, 0) !== ALLOC_FAILED);
  assert.is(t.zone("Normal").nrFreePages, 48);
  assert.is(reclaimBy(CTX.WRITER), 1);
  assert.is(reclaimBy(CTX.SERVER), 2);
  assert.is(reclaimBy(CTX.WORKLOAD), 3);
  // a kernel thread never is (PF_KTHREAD): the flusher's kworker, kcompactd
  assert.is(reclaimBy(CTX.FLUSHER), 3);
  assert.is(reclaimBy(CTX.KCOMPACTD), 3);
  // 16 kswapd passes that reclaim nothing (MAX_RECLAIM_RETRIES): the node is hopeless, direct reclaim is allowed
  for (let i = 0; i < 16; i++) t.h.harness_kswapd();
  assert.is(t.stat("pageoutrun"), 16);
  assert.is(reclaimBy(CTX.WRITER), 3);
  t.ok();
});

test.run();
