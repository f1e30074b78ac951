// Reclaim with the multi-gen LRU (machine.lru "mglru": fs/lru.ts, fs/lru_gen.ts, fs/lru_gen_reclaim.ts, after
// Debian's 6.12.118 mm/vmscan.c and include/linux/mm_inline.h). A fresh lruvec has max_seq 3 and min_seq 0
// (lru_gen_init_lruvec(): max_seq = MIN_NR_GENS + 1); generations 3 and 2 count as active. Expected values are
// worked out in the comments from the kernel's rules.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness, mmHarness, NONE } from "./helpers/harness.js";
import { GFP_KERNEL, ALLOC_FAILED } from "../host/core/constants.js";
import { resolveScenario } from "../host/scenario/resolve.js";

type H = ReturnType<typeof mmHarness>;
const NORMAL = 1;
/** Writes `pages` order-0 page-cache pages of file 0 from `from` on; with `answer`, the server answers each
 *  WRITE (clean and cached), else the pages stay under writeback. */
function cache(t: H, from: number, pages: number, answer = true): void {
  for (let i = from; i < from + pages; i++) t.h.harness_do_write(0, i * 4096, 4096);
  for (let n = t.h.harness_writeback(0); n > 0; n = t.h.harness_writeback(0))
    if (answer) for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
}
const seqs = (t: H): [number, number] => [t.h.harness_lru_gen_seq(0), t.h.harness_lru_gen_seq(1)];
const mglru = (): H => mmHarness({ memory: "64M", thp: false, pcp: false, lru: "mglru" }, {}, "nocopy", "1M");

test("new folios go to the second oldest generation; eviction and the aging move the sequence numbers (6.12)", () => {
  const t = mglru();
  // lru_gen_add_folio(): not active, not reclaim-marked, min_seq + MIN_NR_GENS (2) < max_seq (3): min_seq + 1 = 1
  cache(t, 0, 64);
  assert.is(t.h.harness_lru_gen_pages(1, NORMAL), 64);
  assert.is(t.stat("nr_active_file"), 0, "generation 1 is neither max_seq nor max_seq - 1");
  // try_to_free_pages(GFP_KERNEL): sc->nr_to_reclaim 32 < MIN_LRU_BATCH, so set_initial_priority() leaves 12.
  // should_run_aging() is false (4 generations), get_nr_to_scan() = 64 >> priority: 0 down to priority 7. At 6 (1):
  // evict_folios() finds generation 0 empty, try_to_inc_min_seq() moves min_seq to 1 (scanned 1 >= 1). At 5 (2):
  // scan_folios() isolates all 64 from generation 1 (Normal first: (reclaim_idx + 3) % 3), all clean: freed; min_seq
  // moves to 2, which leaves MIN_NR_GENS generations, so evict_folios() returns 0 and the loop ends. 64 >= 32
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 64);
  assert.equal(seqs(t), [3, 2]);
  assert.equal([t.stat("pgscan_direct"), t.stat("pgsteal_direct"), t.stat("allocstall_normal")], [64, 64, 1]);
  // with min_seq + MIN_NR_GENS >= max_seq a new folio goes to min_seq: generation 2, which is max_seq - 1, active
  cache(t, 64, 16);
  assert.is(t.h.harness_lru_gen_pages(2, NORMAL), 16);
  assert.is(t.stat("nr_active_file"), 16);
  // priority 12: should_run_aging() (min_seq + 2 > max_seq), nothing to scan at DEF_PRIORITY. 11: aging,
  // inc_max_seq() to 4 ("stop scanning this lruvec": -1); generation 2 turns inactive. 10 down to 5: 16 >> priority
  // is 0 (old generation 2 holds all 16: no aging). 4 (1): the 16 are isolated and freed, min_seq moves to 3, two
  // generations left: 0 scanned. 3: aging again, max_seq 5. 2-0: nothing left to scan. 16 reclaimed, no retry
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 16);
  assert.equal(seqs(t), [5, 3]);
  assert.equal([t.stat("pgscan_direct"), t.stat("allocstall_normal"), t.stat("nr_active_file")], [80, 2, 0]);
  t.ok();
});

test("a folio under writeback goes to the youngest generation each time reclaim meets it, and to the oldest's tail when its writeback ends", () => {
  const t = mglru();
  cache(t, 0, 64, false);
  assert.is(t.stat("nr_writeback"), 64);
  // Sweep 1 (priorities 12-0): 6 moves min_seq to 1; 5 isolates the 64, shrink_folio_list() marks each PG_reclaim and
  // activates it (PGACTIVATE), evict_folios() leaves those (reclaim-marked, under writeback) as they are and
  // move_folios_to_lru() puts them in max_seq's generation (3); min_seq 2, two generations: stop. 4: aging, max_seq 4.
  // 3: the oldest generation (seq 2, max_seq - MIN_NR_GENS) is empty, under a quarter: aging, max_seq 5. 2: 64 >> 2; generation 2
  // is empty, min_seq 3; then the 64 again (generation 3, now the oldest): to max_seq 5's generation, min_seq 4. 1:
  // aging, max_seq 6; 0: aging, max_seq 7. Nothing reclaimed: 6.12+'s memcg_full_walk sweep: 6 moves min_seq to 5;
  // 5 meets the 64 (a third time), to max_seq 7's generation, min_seq 6; 4 and 3 age (8, 9); 2 moves min_seq to 7
  // and meets the 64 a fourth time (to 9's generation), min_seq 8; 1 and 0 age (10, 11). Then 0 is returned: MGLRU
  // skips no deactivation to retry for
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 0);
  assert.equal([t.stat("pgscan_direct"), t.stat("pgactivate"), t.stat("pgsteal_direct"), t.stat("allocstall_normal")], [256, 256, 0, 2]);
  assert.equal(seqs(t), [11, 8]);
  // the server answers: folio_end_writeback() -> folio_rotate_reclaimable() -> lru_move_tail(): PG_reclaim was
  // cleared first, so lru_gen_add_folio(reclaiming) puts each in min_seq's generation, at the tail
  for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  assert.is(t.stat("pgrotated"), 64);
  assert.is(t.h.harness_lru_gen_pages(8 % 4, NORMAL), 64);
  // now clean and the oldest: reclaim takes them (64 >> 6 = 1 at priority 6 isolates a MIN_LRU_BATCH of 64)
  assert.is(t.mm.harness_try_to_free_pages(GFP_KERNEL, 0), 64);
  assert.is(t.stat("nr_file_lru"), 0);
  t.ok();
});

test("kswapd with MGLRU: set_initial_priority() lowers balance_pgdat()'s priority, and dirty folios met go to the youngest generation", () => {
  // 16 dirty pages (generation 1), memory filled with GFP_KERNEL to the watermarks (as file-lru.test.ts's kswapd
  // test), then one kswapd pass on 6.12 at order 0 for Normal. Priority 12: kswapd_age_node() finds no nr_to_reclaim
  // yet (0 < MIN_LRU_BATCH); kswapd_shrink_node() sets it to the zones' high watermarks (over 64), so
  // lru_gen_shrink_node()'s set_initial_priority() gives fls(16) - 1 - fls(nr_to_reclaim - 1) < 6: clamped to 6,
  // where 16 >> 6 = 0 is scanned; nothing reclaimed, so 5 (0), 4 (1: min_seq moves to 1), 3 (2: the 16 are isolated,
  // marked PG_reclaim and activated to max_seq's generation; min_seq 2, two generations left: 0; every file folio
  // taken was dirty and unqueued: the flushers are woken), 2 (aging: max_seq 4), 1 (the oldest is empty:
  // aging, max_seq 5). The classic lists scan 15 here and deactivate 3 (file-lru.test.ts)
  const t = harness("legacy-copy", 64, {}, { kernel: "6.12", lru: "mglru" });
  assert.is(t.h.harness_do_write(0, 0, 16 * 4096), 0);
  while (t.sim.allocator.apply(new Int32Array([1, GFP_KERNEL, 0]))[0] !== ALLOC_FAILED);
  t.h.harness_kswapd();
  assert.equal([t.stat("pgscan_kswapd"), t.stat("pgsteal_kswapd"), t.stat("pgactivate"), t.stat("pageoutrun")], [16, 0, 16, 1]);
  assert.equal(seqs(t as unknown as H), [5, 2]);
  assert.is(t.h.harness_lru_gen_pages(3, NORMAL), 16);
  t.ok();
});

test("machine.lru mglru needs a kernel whose MGLRU is modelled (6.12 on)", () => {
  const scenario = (kernel: string) => ({ machine: { kernel, lru: "mglru" }, policy: "legacy-copy", workloads: [{ type: "fio", rw: "write", bs: "4k", size: "1M" }] });
  assert.throws(() => resolveScenario(scenario("6.1"), "t"), /machine\.lru: "mglru" is not allowed on kernel 6\.1; .*\(allowed: classic\)/);
  assert.is(resolveScenario(scenario("6.12"), "t").kernelConfig.lru, "mglru");
});

test.run();
