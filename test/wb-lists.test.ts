// The wb's inode lists as fs/fs-writeback.c (6.12) keeps them, driven through the core's harness with jiffies the
// test gives: __mark_inode_dirty() dates an inode and puts it at b_dirty's head; queue_io() takes b_more_io first,
// then moves the expired inodes from b_dirty's tail (move_expired_inodes()), and the flusher takes b_io's tail;
// requeue_inode() sends an inode whose chunk ran out to b_more_io, and one left dirty otherwise (FUSE's congestion
// gate, a walk that found the file's end) back to b_dirty through redirty_tail_locked(), which re-dates it only
// when it is older than b_dirty's newest. Invariants are checked after every step.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { harness, NONE } from "./helpers/harness.js";

/** assembly/fs/writer.ts: close(2) waiting for another writeback of its inode (I_SYNC). */
const W_WAIT_I_SYNC = 9;

const B_DIRTY = 1, B_IO = 2, B_MORE_IO = 3;

function lists(files = 3) {
  const ctx = harness("nocopy", 64, {}, {}, {}, files);
  const list = (l: number): number[] => {
    const out: number[] = [];
    for (let k = 0; ; k++) { const ino = ctx.h.harness_wb_list(l, k) >>> 0; if (ino === NONE) return out; out.push(ino); }
  };
  return { ...ctx, list };
}

test("b_dirty: newest first; queue_io() moves the expired ones and the flusher takes the oldest first", () => {
  const { h, ok, list } = lists();
  for (const ino of [0, 1, 2]) h.harness_do_write(ino, 0, 4096); // dirtied in this order, all at jiffy 1000
  ok();
  assert.equal(list(B_DIRTY), [2, 1, 0], "each newly dirtied inode goes to the head");
  h.harness_do_write(0, 4096, 4096);
  assert.equal(list(B_DIRTY), [2, 1, 0], "an inode already dirty keeps its place (and its date)");
  // kupdate-style: only inodes dirtied at or before 1000 - 1 expire: none
  assert.is(h.harness_wb_queue_io(999), 0);
  assert.equal(list(B_IO), []);
  h.harness_wb_set_dirtied_when(2, 1010);
  assert.is(h.harness_wb_queue_io(1005), 2, "0 and 1 expired, 2 (dirtied at 1010) stops the scan");
  assert.equal(list(B_IO), [1, 0], "the oldest, 0, at the tail: taken first");
  assert.equal(list(B_DIRTY), [2]);
  ok();
});

test("requeue_inode(): a used-up chunk goes to b_more_io, which the next queue_io() takes first whatever its age", () => {
  const { h, ok, list } = lists();
  for (const ino of [0, 1, 2]) h.harness_do_write(ino, 0, 2 * 4096);
  h.harness_wb_set_dirtied_when(0, 1000); h.harness_wb_set_dirtied_when(1, 1001); h.harness_wb_set_dirtied_when(2, 1002);
  assert.is(h.harness_wb_queue_io(1002), 3);
  assert.equal(list(B_IO), [2, 1, 0]);
  // the flusher's call on 0 wrote its whole chunk and pages are left: b_more_io
  h.harness_wb_requeue(0, 0, 1002, 1003);
  assert.equal(list(B_MORE_IO), [0]);
  // the call on 1 stopped with chunk left (the congestion gate): back to b_dirty, where nothing is newer, so its
  // dirtied_when stays
  h.harness_wb_requeue(1, 1024, 1002, 1003);
  assert.equal(list(B_DIRTY), [1]);
  assert.is(h.harness_wb_dirtied_when(1), 1001);
  ok();
  // the next queue_io() for kupdate (nothing expired) still takes b_more_io
  assert.is(h.harness_wb_queue_io(900), 0);
  assert.equal(list(B_IO), [0, 2], "b_more_io's 0 spliced at the head (list_splice_init()), before what b_io held");
  ok();
});

test("redirty_tail_locked(): an inode older than b_dirty's newest is re-dated, so b_dirty stays in dirtied_when order", () => {
  const { h, ok, list } = lists();
  for (const ino of [0, 1, 2]) h.harness_do_write(ino, 0, 4096);
  h.harness_wb_set_dirtied_when(0, 1000); h.harness_wb_set_dirtied_when(1, 1005); h.harness_wb_set_dirtied_when(2, 1008);
  assert.is(h.harness_wb_queue_io(1000), 1, "only 0 expired");
  assert.equal(list(B_DIRTY), [2, 1]);
  h.harness_wb_requeue(0, 1024, 1000, 1020); // left dirty with chunk to spare: redirty_tail
  assert.equal(list(B_DIRTY), [0, 2, 1]);
  assert.is(h.harness_wb_dirtied_when(0), 1020, "older than 2 (1008), the newest: now");
  ok();
});

test("requeue_inode(): an inode written clean leaves the lists", () => {
  const { h, ok, list } = lists(1);
  h.harness_do_write(0, 0, 4096);
  assert.is(h.harness_wb_queue_io(2000), 1);
  assert.is(h.harness_writeback(0), 1); // ->writepages: the page goes out, nothing is dirty
  h.harness_wb_requeue(0, 1023, 2000, 2000);
  assert.equal([list(B_DIRTY), list(B_IO), list(B_MORE_IO)], [[], [], []]);
  ok();
  h.harness_do_write(0, 4096, 4096);
  assert.equal(list(B_DIRTY), [0], "dirtied again: back on b_dirty");
  ok();
});

test("close(2): write_inode_now() waits for the flusher's writeback of the inode (I_SYNC), then writes the rest", () => {
  // writeback_single_inode(): WB_SYNC_ALL with I_SYNC set waits in inode_wait_for_writeback(); then it takes
  // I_SYNC for its own walk and fdatawait, and the flusher's WB_SYNC_NONE work passes the inode by meanwhile
  const { h, ok, list } = lists(1);
  h.harness_do_write(0, 0, 3 * 4096);
  h.harness_flusher_i_sync(0, 1);
  assert.is(h.harness_close(0), W_WAIT_I_SYNC, "the flusher is writing the inode: close waits");
  assert.is(h.harness_server_read(), NONE, "and sends nothing");
  h.harness_flusher_i_sync(0, 0); // inode_sync_complete()
  ok();
  h.harness_close(0); // the walk: one request for the three pages
  assert.is(h.harness_server_read(), NONE, "built, not yet sent: it goes out once the walk's CPU has passed");
  h.harness_close(0); // the next step sends it, then waits for its writeback
  const req = h.harness_server_read();
  assert.is(h.harness_req_pages(req), 3);
  assert.equal(list(B_DIRTY), [0], "I_SYNC held until the writeback ends: the inode is still listed");
  ok();
  h.harness_server_reply(req);
  h.harness_close(0); // fdatawait done: I_SYNC clears, the clean inode leaves the lists, FUSE_FLUSH goes out
  assert.equal(list(B_DIRTY), []);
  ok();
});

test.run();
