// THP faults inside and outside a MADV_HUGEPAGE region (highorder `madvise`), under the default defrag=madvise:
// mm/huge_memory.c vma_thp_gfp_mask() gives a madvised region GFP_TRANSHUGE (direct reclaim and compaction) and any
// other GFP_TRANSHUGE_LIGHT (no __GFP_RECLAIM: the free lists only, kswapd not woken, no compaction).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness, NONE } from "./helpers/harness.js";
import { GFP_KERNEL, GFP_ATOMIC, ALLOC_FAILED } from "../host/core/constants.js";
import { resolveScenario } from "../host/scenario/resolve.js";

type H = ReturnType<typeof mmHarness>;
/** A 64 MiB machine whose memory is clean page cache (15,360 pages written and answered), leaving DMA32 and Normal
 *  near their low watermarks with no free order-9 block. */
function fullOfCache(): H {
  const t = mmHarness({ memory: "64M", thp: true, pcp: false }, {}, "nocopy", "60M");
  const answer = (): void => {
    for (let n = t.h.harness_writeback(0); n > 0; n = t.h.harness_writeback(0))
      for (let r = t.h.harness_server_read() >>> 0; r !== NONE; r = t.h.harness_server_read() >>> 0) t.h.harness_server_reply(r);
  };
  for (let i = 0; i < 15_360; i++) {
    assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
    if (i % 512 === 511) answer();
  }
  answer();
  assert.is(t.stat("nr_file_lru"), 15_360);
  return t;
}

test("outside MADV_HUGEPAGE a THP fault takes only what the free lists have: no reclaim, no compaction", () => {
  const t = fullOfCache();
  const before = [t.stat("allocstall_normal"), t.stat("allocstall_movable"), t.stat("pgscan_direct")];
  assert.is(t.mm.harness_thp_fault_nomadvise(9), NONE);
  assert.equal([t.stat("thp_fault_fallback"), t.stat("compact_stall")], [1, 0]);
  assert.equal([t.stat("allocstall_normal"), t.stat("allocstall_movable"), t.stat("pgscan_direct")], before, "no direct reclaim");
  assert.is(t.stat("nr_file_lru"), 15_360, "the page cache is untouched");
  t.ok();
});

test("inside MADV_HUGEPAGE the same fault reclaims page cache until a pageblock is free, and succeeds", () => {
  const t = fullOfCache();
  assert.ok(t.mm.harness_thp_fault(9) !== NONE);
  assert.equal([t.stat("thp_fault_alloc"), t.stat("allocstall_normal")], [1, 1]);
  assert.ok(t.stat("pgscan_direct") >= 512, `${t.stat("pgscan_direct")} pages scanned: at least the pageblock it freed`);
  t.ok();
});

test("a madvised PMD-sized fault compacts on the local node first (alloc_pages_mpol()), then runs its own slow path", () => {
  // Every page taken by order-0 unmovable allocations (to the watermarks, then GFP_ATOMIC's reserve), then all freed
  // but one in 256: 16,320 pages free, no free order-9 block, and nothing compaction can move (no LRU page).
  // Try 1, __GFP_THISNODE | __GFP_NORETRY: the free lists, async compaction (suitable: plenty free; it scans and
  // fails: compact_stall 1), then nopage (not COMPACT_SKIPPED or DEFERRED, but __GFP_THISNODE). Try 2, GFP_TRANSHUGE:
  // async compaction again (2); direct reclaim finds every zone ready for compaction and returns 1 ("don't OOM"),
  // one allocstall, nothing scanned; sync-light compaction (3); the fault falls back
  const t = mmHarness({ memory: "64M", thp: true, pcp: false }, {}, "nocopy", "1M");
  const got: number[] = [];
  for (const gfp of [GFP_KERNEL, GFP_ATOMIC]) for (let p = t.alloc(gfp, 0); p !== ALLOC_FAILED; p = t.alloc(gfp, 0)) got.push(p);
  for (const p of got) if (p % 256 !== 0) t.free(p, 0);
  assert.is(t.mm.harness_thp_fault(9), NONE);
  assert.equal([t.stat("compact_stall"), t.stat("compact_fail"), t.stat("allocstall_normal"), t.stat("pgscan_direct"), t.stat("thp_fault_fallback")], [3, 3, 1, 0, 1]);
  // outside MADV_HUGEPAGE: no compaction at all
  assert.is(t.mm.harness_thp_fault_nomadvise(9), NONE);
  assert.equal([t.stat("compact_stall"), t.stat("thp_fault_fallback")], [3, 2]);
  t.ok();
});

test("madvise: false is refused on a workload that is not THP", () => {
  assert.throws(() => resolveScenario({ workloads: [{ type: "highorder", kind: "contig", interval: "1s", madvise: false }] }, "t"),
    /workloads\.0\.madvise: false is not allowed with kind contig; .*\(allowed: true\)/);
});

test.run();
