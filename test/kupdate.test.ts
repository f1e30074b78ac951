// Periodic (kupdate) writeback as fs/fs-writeback.c runs it: wb_check_old_data_flush() at most once a
// dirty_writeback_interval (5 s, wb->last_old_flush), for the inodes dirty longer than dirty_expire_interval (30 s)
// and those left on b_more_io, and for as many pages as were dirty when the run began
// (work->nr_pages = get_nr_dirty_pages()).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { resolveScenario } from "../host/scenario/resolve.js";
import { runScenario } from "../host/sim/run-scenario.js";
import { coreModuleSync } from "../host/core/load-node.js";

const release = coreModuleSync("release");
const RATE_PAGES = 32 * 256; // 32 MiB/s in 4 KiB pages

test("kupdate: nothing expires before 30 s, a run writes what was dirty when it began, and the next comes 5 s later", () => {
  // One job at 32 MiB/s (8,192 pages a second) on a 16 GiB machine without FUSE's strictlimit share, 43 s.
  // - Before 30 s the only writeback is background writeback's single ->writepages call at about 10 s, when the
  //   wb's dirty pages pass its background share, bumped to (bg_thresh - dirty) / 8 while it has no completions
  //   (6.14+'s __wb_calc_thresh()); after that first completion its share is half of bg_thresh and background
  //   writeback stops. That call writes writeback_chunk_size() pages: round_down(INIT_BW / 2 + 1024, 1024) = 13,312.
  // - That call used its whole chunk, so requeue_inode() put the inode on b_more_io (requeue_io()), and queue_io()
  //   takes b_more_io first whatever the work: the kupdate run at 15 s (the flusher's delayed wake-up, 5 s after
  //   the 10 s one) writes one more chunk of it although it has not expired. That call uses its chunk too, but the
  //   inode counts as dirtied after the kupdate pass's dirtied_before (30 s ago), so it goes back to b_dirty
  //   (redirty_tail_locked(), which keeps its dirtied_when: b_dirty is empty) and nothing more until it expires.
  // - At 30 s the inode, dirty since the first write, has expired (dirty_expire_interval): the next kupdate run
  //   writes what was dirty when it began. The flusher's delayed wake-up (wb_wakeup_delayed(): 5 s, 1,250 ticks at
  //   HZ 250, a level-2 timer the wheel rounds up to a multiple of 64 ticks) is armed anew when each run ends, so the
  //   runs drift past the 5 s grid: this one comes at about 30.8 s and is done by 32 s.
  // - The next run may come only dirty_writeback_interval (5 s) after it (wb->last_old_flush), and its timer fires
  //   at about 36.2 s: dirty grows by a full 8,192 pages a second from 32 to 36 s, and that run brings it back under
  //   a second of writes.
  const r = runScenario(resolveScenario({
    machine: { memory: "16G", bdi: { strictlimit: false, max_ratio: 100 } },
    fuse: { max_pages: 256, max_write: "1M", writeback_cache: true },
    policy: "nocopy",
    server: { threads: 4, per_request: { dist: "fixed", mean: "2us" }, backing: "external" },
    workloads: [{ type: "fio", rw: "write", bs: "1M", size: "2G", numjobs: 1, rate: "32M", fallocate: "none" }],
    run: { duration: "43s", sample_interval: "1s" },
  }, "kupdate"), { module: release, timing: false, samples: true });
  const at = (s: number) => r.samples!.find((x) => Math.round(x.t_ns / 1e9) === s)!;
  const written = (s: number) => at(s).bytes_written / 4096;
  for (let s = 1; s <= 10; s++) assert.is(at(s).nr_dirty, written(s), `${s} s: nothing written back yet`);
  for (let s = 11; s <= 15; s++) assert.is(at(s).nr_dirty, written(s) - 13312, `${s} s: one background chunk written`);
  for (let s = 16; s <= 30; s++) assert.is(at(s).nr_dirty, written(s) - 2 * 13312, `${s} s: and one kupdate chunk from b_more_io`);
  const cleaned = (s: number) => written(s) - at(s).nr_dirty;
  assert.ok(cleaned(32) - cleaned(30) >= at(30).nr_dirty, `32 s: the run after 30 s wrote what was dirty at 30 s (${cleaned(32) - cleaned(30)} of ${at(30).nr_dirty})`);
  assert.ok(at(32).nr_dirty < 2 * RATE_PAGES, `32 s: about a second of writes left (${at(32).nr_dirty})`);
  for (let s = 33; s <= 36; s++) assert.is(at(s).nr_dirty - at(s - 1).nr_dirty, RATE_PAGES, `${s} s: no kupdate run for 5 s after the last`);
  assert.ok(at(37).nr_dirty < RATE_PAGES, `37 s: the next kupdate run wrote what was dirty (${at(37).nr_dirty} left)`);
});

test.run();
