// Reclaim that meets only dirty page cache nudges the flusher (mm/vmscan.c: shrink_inactive_list(): "If dirty
// folios are scanned that are not queued for IO, it implies that flushers are not doing their job ... Nudge the
// flusher threads in case they are asleep": wakeup_flusher_threads(WB_REASON_VMSCAN) when nr_unqueued_dirty ==
// nr_taken). fs/fs-writeback.c: wb_start_writeback() sets WB_start_all and wakes the wb; wb_do_writeback() runs
// wb_check_start_all(): a WB_SYNC_NONE work over get_nr_dirty_pages() that is not for_background, so it writes
// below the background threshold too. Driven through the harness; the server answers as the run's server does.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness } from "./helpers/harness.js";
import { GFP_KERNEL } from "../host/core/constants.js";

test("direct reclaim over an all-dirty cache frees nothing and starts a flush of everything", () => {
  const t = harness("nocopy", 64);
  const { h } = t;
  // 16 dirty pages: far below any background threshold of a 64 MiB machine, and dirtied just now (kupdate would
  // wait 30 s for them); the flusher sleeps until its 5 s timer
  assert.is(h.harness_do_write(0, 0, 16 * 4096), 0);
  assert.equal([t.stat("nr_dirty"), t.stat("requests_sent")], [16, 0]);
  // the first dirty inode armed the periodic timer (__mark_inode_dirty() -> wb_wakeup_delayed())
  assert.is(h.harness_flusher_timer_armed(), 1);
  // try_to_free_pages(): the 16 folios it takes are all dirty and not under writeback: none is freed (only kswapd
  // writes from reclaim, and FUSE has no ->writepage here), and the flusher is woken with WB_start_all
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 0);
  // wb_wakeup() is mod_delayed_work(&wb->dwork, 0): the same delayed work as the timer, now due at once; the timer
  // no longer waits to fire at its old time
  assert.is(h.harness_flusher_timer_armed(), 0);
  t.ok();
  // the flusher's next events: the start-all work writes the file's 16 pages in one request (max_pages 256)
  t.sim.step(3);
  assert.equal([t.stat("nr_dirty"), t.stat("requests_sent")], [0, 1]);
  assert.ok(t.sim.virtualNs() < 1e6, "within microseconds, not at the 5 s timer");
  t.ok();
});

test("a clean folio among those taken: that batch frees it and does not wake the flusher", () => {
  const t = harness("nocopy", 64);
  const { h } = t;
  // pages 0..15 written back and clean (their request answered), then page 16 dirtied: the inactive list holds
  // 0..16, oldest first
  assert.is(h.harness_do_write(0, 0, 16 * 4096), 0);
  assert.is(h.harness_writeback(0), 1);
  h.harness_server_reply(h.harness_server_read());
  assert.is(h.harness_do_write(0, 16 * 4096, 4096), 0);
  const sent = t.stat("requests_sent");
  // do_try_to_free_pages(): the list's 17 pages >> priority: 1 at priority 4 (page 0), 2 at 3, 3 at 2 (14 >> 2),
  // 5 at 1 (11 >> 1), all clean and freed; at priority 0 the last 6 in one batch: pages 11-15 freed, page 16
  // marked PG_reclaim and activated. nr_unqueued_dirty 1 != nr_taken 6 in that batch: no nudge. 16 < 32 reclaimed
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 16);
  assert.equal([t.stat("pgactivate"), t.stat("nr_active_file")], [1, 1]);
  t.sim.step(3);
  assert.equal([t.stat("nr_dirty"), t.stat("requests_sent")], [1, sent], "nothing written: the flusher sleeps on");
  t.ok();
});

test("a batch of dirty folios only wakes the flusher; their writeback ends and they rotate to the inactive tail", () => {
  const t = harness("nocopy", 64);
  const { h } = t;
  // page 0 written back, then pages 1..15: all clean, on the inactive list in write order (page 0 at the tail)
  assert.is(h.harness_do_write(0, 0, 4096), 0);
  assert.is(h.harness_writeback(0), 1);
  h.harness_server_reply(h.harness_server_read());
  assert.is(h.harness_do_write(0, 4096, 15 * 4096), 0);
  assert.is(h.harness_writeback(0), 1);
  h.harness_server_reply(h.harness_server_read());
  // page 0 dirty again (a write to a cached page does not move it on the list): 16 pages, page 0 at the tail
  assert.is(h.harness_do_write(0, 0, 4096), 0);
  // priority 4: 16 >> 4 = 1, page 0 alone, dirty and not under writeback: PG_reclaim, activated, and
  // nr_unqueued_dirty == nr_taken: wakeup_flusher_threads(WB_REASON_VMSCAN). Then 1 + 3 + 5 + 6 clean pages freed
  // at priorities 3..0 (15 >> 3, 14 >> 2, 11 >> 1, 6); at priority 0 the active page is not deactivated
  // (inactive_is_low(): 6 < 1 is false), and 15 reclaimed end the call without a retry
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 15);
  assert.equal([t.stat("pgactivate"), t.stat("nr_active_file")], [1, 1]);
  // the flusher writes page 0 (its request reaches the connection at the flusher's next event, once the fill's time has
  // passed); the server answers; folio_end_writeback() finds PG_reclaim and folio_rotate_reclaimable() moves it to
  // the inactive tail (PG_active cleared): PGROTATED
  const sent = t.stat("requests_sent");
  for (let k = 0; k < 10 && t.stat("requests_sent") === sent; k++) t.sim.step(1);
  assert.equal([t.stat("nr_dirty"), t.stat("nr_writeback")], [0, 1]);
  h.harness_server_reply(h.harness_server_read());
  assert.equal([t.stat("pgrotated"), t.stat("nr_active_file")], [1, 0]);
  // and the next reclaim frees it first: one page, 1 >> priority is 0 until priority 0
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 1);
  assert.is(h.harness_mapping_pfn(0, 0) >>> 0, 0xffffffff);
  t.ok();
});

test.run();
