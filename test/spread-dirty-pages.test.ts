// get_page_from_freelist()'s ac->spread_dirty_pages (mm/page_alloc.c, 6.12): a page-cache page allocated to be
// written carries __GFP_WRITE (mm/filemap.c __filemap_get_folio() with FGP_WRITE; FUSE's bdi keeps
// BDI_CAP_WRITEBACK), and while the node is over its dirty limit (node_dirty_ok(): NR_FILE_DIRTY + NR_WRITEBACK
// above vm.dirty_ratio of the node's dirtyable memory) the first pass skips every zone of it: the allocation goes to
// the slow path, which wakes kswapd. Worked on the 16 MiB Normal-only machine of test/kswapd-kcompactd.test.ts
// (min 128, low 160, high 192 pages; per-cpu lists off).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mmHarness } from "./helpers/harness.js";
import { GFP_HIGHUSER_MOVABLE, ALLOC_FAILED } from "../host/core/constants.js";
import { __GFP_WRITE } from "../host/gen/kernel-constants.js";

/** The machine with `dirtyPages` pages of its file written (dirty: the harness starts no flusher), then filled with
 *  movable pages (no fallback, so no watermark boost) down to 176 free: above low (the fast path takes a page without waking anyone), under high (the
 *  node is not balanced, so a slow-path wake-up runs kswapd). */
function machine(dirtyPages: number) {
  const t = mmHarness({ memory: "16M", dma32: 0, thp: false, pcp: false }, { dirty_ratio: 1 }, "nocopy", "1M");
  // a write(2) a page: generic_perform_write() returns at the dirty throttle, which the harness does not wait out
  for (let i = 0; i < dirtyPages; i++) assert.is(t.h.harness_do_write(0, i * 4096, 4096), 0);
  assert.is(t.stat("nr_dirty"), dirtyPages);
  while (t.zone("Normal").nrFreePages > 176) assert.ok(t.alloc(GFP_HIGHUSER_MOVABLE, 0) !== ALLOC_FAILED);
  assert.not.ok(t.mm.harness_kswapd_awake(), "the fill stayed above low");
  return t;
}

test("a page-cache page for writing skips the fast path while the node is over its dirty limit, and wakes kswapd", () => {
  // node_dirty_limit() when the probe allocates: dirtyable memory is the 176 free pages less totalreserve_pages (192:
  // high), so none, plus the file LRU (the pages written); vm.dirty_ratio 1 % of that is 0 pages, so any dirty page
  // is over it. The same machine with nothing written is within it.
  const under = machine(0);
  assert.ok(under.alloc(GFP_HIGHUSER_MOVABLE | __GFP_WRITE, 0) !== ALLOC_FAILED);
  assert.not.ok(under.mm.harness_kswapd_awake(), "within the limit: the fast path at the low watermark");
  under.ok();
  const over = machine(64);
  assert.ok(over.alloc(GFP_HIGHUSER_MOVABLE | __GFP_WRITE, 0) !== ALLOC_FAILED);
  assert.ok(over.mm.harness_kswapd_awake(), "over it: wake_all_kswapds() in the slow path, 176 free < high 192");
  over.ok();
  // an allocation without __GFP_WRITE (anon, shmem, the kernel's own) takes the fast path whatever is dirty
  const anon = machine(64);
  assert.ok(anon.alloc(GFP_HIGHUSER_MOVABLE, 0) !== ALLOC_FAILED);
  assert.not.ok(anon.mm.harness_kswapd_awake());
});

test.run();
