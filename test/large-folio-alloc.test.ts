// A large page-cache folio's allocation (mm/filemap.c __filemap_get_folio(), 6.12): every order above the mapping's
// minimum is asked for with __GFP_NORETRY, so the slow path makes one round (a costly order: async compaction first,
// then direct reclaim and async compaction again) before the next order down is tried. FUSE files have large folios
// only as a what-if (fuse.large_folios: true); the 1 MiB write here wants order 8.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, ALLOC_FAILED } from "../host/core/constants.js";

test("an order-8 page-cache folio the free lists cannot give is compacted for before a smaller order is taken", () => {
  const t = harness("nocopy", 1024, {}, { memory: "16M", dma32: 0, thp: false, pcp: false }, { large_folios: true, max_write: "1M", max_pages: 256 });
  const alloc = (gfp: number, order: number) => t.sim.allocator.apply(new Int32Array([1, gfp, order]))[0]!;
  const free = (pfn: number, order: number) => t.sim.allocator.apply(new Int32Array([2, pfn, order]));
  // every movable page taken, then every other one freed: 1,984 order-0 holes and one order-7 block, nothing of
  // order 8 or more
  const got: number[] = [];
  for (let p = alloc(GFP_HIGHUSER_MOVABLE, 0); p !== ALLOC_FAILED; p = alloc(GFP_HIGHUSER_MOVABLE, 0)) got.push(p);
  for (let i = 0; i < got.length; i += 2) free(got[i]!, 0);
  const z = t.sim.zones().find((x) => x.name === "Normal")!;
  assert.equal(z.freeCount[1]!.slice(7), [1, 0, 0, 0]);
  // The fast path and the min-watermark try fail at order 8; a costly order compacts async first: 2,112 free pages
  // are above the low watermark plus compact_gap(8) (1,024) and the fragmentation index is high, so compaction runs,
  // migrates one block's 256 movable pages into the holes and the order-8 allocation succeeds. Before, the model
  // took the order-7 block without compacting (the next order down).
  assert.is(t.h.harness_do_write(0, 0, 1 << 20), 0);
  assert.is(t.page(t.h.harness_mapping_pfn(0, 0)).order, 8);
  assert.is(t.stat("compact_stall"), 1);
  assert.is(t.stat("compact_success"), 1);
  t.ok();
});

test.run();
