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

test("a clean folio among those taken: reclaim frees it and does not wake the flusher", () => {
  const t = harness("nocopy", 64);
  const { h } = t;
  // page 0 written back and clean (its request answered), then pages 1..16 dirtied
  assert.is(h.harness_do_write(0, 0, 4096), 0);
  assert.is(h.harness_writeback(0), 1);
  h.harness_server_reply(h.harness_server_read());
  assert.is(h.harness_do_write(0, 4096, 16 * 4096), 0);
  const sent = t.stat("requests_sent");
  // reclaim takes page 0 (clean: freed) and the 16 dirty ones: nr_unqueued_dirty 16 != nr_taken 17
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 1);
  t.sim.step(3);
  assert.equal([t.stat("nr_dirty"), t.stat("requests_sent")], [16, sent], "nothing written: the flusher sleeps on");
  t.ok();
});

test.run();
