// The two writeback paths, one step at a time through the core's harness: set up a state, do one thing,
// assert the exact state after (the style of tools/testing/vma). Invariants are checked after every step.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { GFP_KERNEL } from "../host/core/constants.js";
import {
  harness, NONE, WRITE_DONE, WRITE_BLOCKED_WB, W_WAIT_FSYNC_FOLIO, PG_owner, PG_temp, PG_dirty, PG_folio_dirty, PG_folio_writeback,
  PG_writeback,
} from "./helpers/harness.js";
import { MIGRATE_UNMOVABLE, MIGRATE_MOVABLE } from "../host/core/constants.js";

test("legacy: every dirty page gets an UNMOVABLE temp page, the original's writeback ends at once, the reply frees them", () => {
  const { h, page, stat, ok } = harness("legacy-copy");
  assert.is(h.harness_do_write(0, 0, 4 * 4096), WRITE_DONE); // 4 pages dirty (order-0 folios: no large folios <= 6.15)
  ok();
  assert.is(stat("nr_dirty"), 4);
  assert.is(h.harness_writeback(0), 1); // contiguous, under max_pages: one request
  ok();
  const req = h.harness_server_read();
  assert.is(h.harness_req_pages(req), 4);
  const temps = [0, 1, 2, 3].map((i) => h.harness_req_pfn(req, i));
  for (const t of temps) {
    const p = page(t);
    assert.ok(p.flags & PG_temp, "a temp page");
    assert.is(p.allocMt, MIGRATE_UNMOVABLE, "GFP_NOFS | __GFP_HIGHMEM has no __GFP_MOVABLE");
  }
  // fuse_writepages_send(): end_page_writeback() on the originals; only the temp pages are in flight
  assert.is(stat("nr_writeback"), 0);
  assert.is(stat("nr_writeback_temp"), 4);
  assert.is(stat("nr_dirty"), 0);
  assert.is(h.rbtree_count(0), 1);
  const original = h.harness_mapping_pfn(0, 0);
  assert.is(page(original).allocMt, MIGRATE_MOVABLE);
  assert.not.ok(page(original).flags & PG_writeback);
  h.harness_server_reply(req);
  ok();
  for (const t of temps) assert.not.ok(page(t).flags & PG_owner, "freed on reply");
  assert.is(stat("nr_writeback_temp"), 0);
  assert.is(h.rbtree_count(0), 0);
  for (let i = 0; i < 4; i++) assert.is(h.harness_server_version(0, i), h.harness_page_version(0, i));
});

test("legacy: the rb-tree makes a write to an in-flight range wait (fuse_wait_on_page_writeback)", () => {
  const { h, ok } = harness("legacy-copy");
  h.harness_do_write(0, 0, 2 * 4096);
  h.harness_writeback(0);
  const req = h.harness_server_read();
  assert.is(h.harness_do_write(0, 4096, 100), WRITE_BLOCKED_WB, "page 1 is in flight: wait although it is not under writeback");
  assert.is(h.harness_do_write(0, 3 * 4096, 100), WRITE_DONE, "page 3 is not covered by any request");
  h.harness_server_reply(req);
  ok();
  assert.is(h.harness_do_write(0, 4096, 100), WRITE_DONE);
});

// Large folios with the writeback cache are a what-if (fuse_init_file_inode() keeps them off): forced on here to
// step through iomap's per-block state, which 6.16+ has for any large folio.
const LARGE = { large_folios: true };

test("copy-free: the folio stays under writeback until the reply; a write redirties it without waiting (6.16 fuse_write_begin)", () => {
  const { h, page, stat, ok } = harness("nocopy", 1024, {}, {}, LARGE);
  h.harness_do_write(0, 0, 4 * 4096); // a 16 KiB write at index 0 gets an order-2 folio (fgf_set_order)
  const head = h.harness_mapping_pfn(0, 0);
  assert.is(page(head).order, 2);
  h.harness_writeback(0);
  ok();
  const req = h.harness_server_read();
  assert.is(h.harness_req_pfn(req, 0), head, "the page-cache folio itself is sent");
  assert.ok(page(head).flags & PG_folio_writeback);
  assert.is(stat("nr_writeback"), 4);
  assert.is(stat("nr_writeback_temp"), 0);
  // 6.16 removed fuse_wait_on_page_writeback() from fuse_write_begin(), and FGP_STABLE waits only for stable-write
  // mappings: the write goes into the folio the server holds, which is now dirty and under writeback at once
  assert.is(h.harness_do_write(0, 8192, 10), WRITE_DONE);
  ok();
  assert.ok(page(head).flags & PG_folio_writeback);
  assert.ok(page(head).flags & PG_folio_dirty);
  assert.is(stat("nr_dirty"), 4, "the whole folio is accounted dirty");
  // WB_SYNC_NONE writeback skips a folio still under writeback (folio_prepare_writeback): nothing is sent, and
  // nothing is taken from wbc->nr_to_write (writeback_iter() counts only the folios it hands to the filesystem)
  assert.is(h.harness_writeback(0), 0);
  assert.is(h.harness_walk_wrote(), 0);
  h.harness_server_reply(req);
  ok();
  assert.not.ok(page(head).flags & PG_folio_writeback);
  assert.is(stat("nr_writeback"), 0);
  assert.ok(page(head).flags & PG_folio_dirty, "the reply ends writeback; the new data is still dirty");
  assert.is(h.harness_writeback(0), 1, "and goes out with the next writeback");
  assert.is(h.harness_walk_wrote(), 4, "nr_to_write -= folio_nr_pages(): the whole folio, though the walk met it at index 2");
  const again = h.harness_server_read();
  assert.is(h.harness_req_pages(again), 1, "only the block the write dirtied (iomap per-block state)");
  assert.is(h.harness_req_start(again), 2);
  h.harness_server_reply(again);
  ok();
  for (let i = 0; i < 4; i++) assert.is(h.harness_server_version(0, i), h.harness_page_version(0, i));
});

test("legacy: a request is in the rb-tree from its first page, so a write to a page of a request still being filled waits", () => {
  // fuse_writepages_fill() -> fuse_writepage_add() -> fuse_insert_writeback() puts a new request into fi->writepages
  // at its first page, and each later page only raises ap->num_pages; fuse_write_begin() ->
  // fuse_wait_on_page_writeback() waits for any page the tree covers. max_pages 2: the flusher's walk over 4 dirty
  // pages fills [0, 1], hands it to fuse_writepages_send() at page 2 and yields with [2] being filled (page 3 still
  // dirty); [0, 1] reaches the connection at the flusher's next event, once the kworker's time for its fill has passed
  const { h, stat, ok, sim } = harness("legacy-copy", 64, {}, {}, { max_pages: 2 });
  assert.is(h.harness_do_write(0, 0, 4 * 4096), WRITE_DONE);
  assert.is(h.harness_try_to_free_pages(GFP_KERNEL, 0), 0, "all dirty: nothing freed, the flusher is woken");
  for (let k = 0; k < 20 && stat("nr_writeback_temp") < 3; k++) sim.step(1);
  // nothing queued yet: the originals of [0, 1] and page 2 are under writeback until their requests are sent
  assert.equal([stat("requests_sent"), stat("nr_writeback_temp"), stat("nr_writeback"), stat("nr_dirty")], [0, 3, 3, 1]);
  ok();
  // page 2 is clean, copied into the request being filled, and under writeback until that one is sent
  assert.is(h.harness_do_write(0, 2 * 4096, 100), WRITE_BLOCKED_WB);
  assert.is(stat("secondary_requests"), 0);
  ok();
});

test("legacy: a page redirtied in flight becomes a secondary request; a third write only refreshes its copy", () => {
  const { h, stat, ok } = harness("legacy-copy");
  h.harness_do_write(0, 0, 4096);
  h.harness_writeback(0);
  const primary = h.harness_server_read();
  // version 2: dirtied again while its copy is in flight (no fuse_write_begin wait on this path)
  assert.ok(h.harness_redirty(0, 0));
  assert.is(h.harness_writeback(0), 0, "nothing sent: fuse_writepage_add() chains it on wpa->next");
  ok();
  const secondary = h.harness_req_next(primary);
  assert.is.not(secondary, NONE);
  assert.is(stat("secondary_requests"), 1);
  assert.is(stat("nr_writeback_temp"), 2);
  // version 3: the third write swaps its copy into the secondary; still two requests for this page
  h.harness_redirty(0, 0);
  h.harness_writeback(0);
  ok();
  assert.is(stat("secondary_refreshes"), 1);
  assert.is(stat("nr_writeback_temp"), 2);
  assert.is(h.harness_req_next(primary), secondary);
  assert.is(h.harness_req_next(secondary), NONE);
  // the reply to the primary sends the secondary, which carries the latest copy
  h.harness_server_reply(primary);
  ok();
  assert.is(h.harness_server_version(0, 0), 1);
  const sent = h.harness_server_read();
  assert.is(sent, secondary);
  h.harness_server_reply(sent);
  ok();
  assert.is(h.harness_server_version(0, 0), 3);
  assert.is(stat("nr_writeback_temp"), 0);
});

test("copy-free: a partial write to a large folio writes back only its dirty blocks", () => {
  const { h, page, stat, ok } = harness("nocopy", 1024, {}, {}, LARGE);
  h.harness_do_write(0, 0, 1 << 20); // 1 MiB at 0: an order-8 folio (max order at max_write 1 MiB)
  const head = h.harness_mapping_pfn(0, 0);
  assert.is(page(head).order, 8);
  h.harness_writeback(0);
  h.harness_server_reply(h.harness_server_read());
  ok();
  // 8 KiB at 64 KiB: blocks 16 and 17 dirty, the folio is dirty (and accounted whole, as the kernel does)
  h.harness_do_write(0, 64 * 1024, 8192);
  assert.ok(page(head).flags & PG_folio_dirty);
  assert.ok(page(head + 16).flags & PG_dirty);
  assert.not.ok(page(head + 15).flags & PG_dirty);
  assert.is(stat("nr_dirty"), 256);
  assert.is(h.harness_writeback(0), 1);
  const req = h.harness_server_read();
  assert.is(h.harness_req_pages(req), 2, "{folio, offset 64 KiB, len 8 KiB}");
  assert.is(h.harness_req_start(req), 16);
  assert.is(h.harness_req_pfn(req, 0), head + 16);
  assert.ok(page(head + 16).flags & PG_writeback);
  assert.not.ok(page(head + 18).flags & PG_writeback);
  ok();
  h.harness_server_reply(req);
  ok();
});


test("copy-free: an fsync walk that waits on a folio keeps filling its request across the wait (write_cache_pages)", () => {
  // writeback_iter() -> folio_prepare_writeback() waits (WB_SYNC_ALL) on a dirty folio still under writeback
  // with data->wpa half built; after the wait the folio joins that request when it follows it
  // (fuse_writepage_need_send() sends only on a gap, a full request or max_write)
  const { h, ok } = harness("nocopy");
  assert.is(h.harness_do_write(0, 4096, 4096), WRITE_DONE); // page 1 dirty
  assert.is(h.harness_writeback(0), 1); // request A = [1]: page 1 under writeback
  const a = h.harness_server_read();
  assert.is(h.harness_do_write(0, 4096, 100), WRITE_DONE, "6.16 fuse_write_begin() does not wait: page 1 is dirty again");
  assert.is(h.harness_do_write(0, 0, 4096), WRITE_DONE);
  assert.is(h.harness_do_write(0, 2 * 4096, 4096), WRITE_DONE); // pages 0, 1 and 2 dirty; 1 still under writeback
  ok();
  assert.is(h.harness_fsync(0), W_WAIT_FSYNC_FOLIO, "the walk waits on page 1");
  assert.is(h.harness_fsync_held_pages(), 1, "holding the request it built for page 0");
  assert.is(h.harness_server_read(), NONE, "nothing is sent before the wait");
  ok();
  h.harness_server_reply(a); // page 1's writeback ends: the walk goes on
  h.harness_fsync(0);
  assert.is(h.harness_fsync_held_pages(), 0);
  assert.is(h.harness_server_read(), NONE, "the walk's end built it; it goes out once the walk's CPU has passed");
  h.harness_fsync(0);
  const b = h.harness_server_read();
  assert.is(h.harness_req_start(b), 0);
  assert.is(h.harness_req_pages(b), 3, "pages 0, 1 and 2 in the one request");
  ok();
});
// fuse_writepages_send() runs inside write_cache_pages() when a request is full or the next folio does not follow it:
// the request reaches the connection once the walker's CPU up to there has passed. fsync's and close's walks run in
// the writer's context and, as the flusher's, go on after each send at the writer's next event.
for (const policy of ["legacy-copy", "nocopy"] as const) {
  test(`${policy}: an fsync walk sends each request at its next step, once the fill's time has passed`, () => {
    const { h, ok } = harness(policy);
    assert.is(h.harness_do_write(0, 0, 3 * 4096), WRITE_DONE);
    assert.is(h.harness_do_write(0, 8 * 4096, 3 * 4096), WRITE_DONE); // pages 0-2 and 8-10: two requests (the gap)
    ok();
    h.harness_fsync(0); // A = [0, 2] filled; page 8 does not follow it, so A is sent and the walk stops
    assert.is(h.harness_server_read(), NONE, "A is built, not yet on the connection");
    ok();
    h.harness_fsync(0); // A goes out; the walk builds B = [8, 10], the last, sent at the call's end
    const a = h.harness_server_read();
    assert.is(h.harness_req_start(a), 0);
    assert.is(h.harness_req_pages(a), 3);
    assert.is(h.harness_server_read(), NONE, "B waits for the next step");
    ok();
    h.harness_fsync(0); // B goes out, then fsync waits for the writeback
    const b = h.harness_server_read();
    assert.is(h.harness_req_start(b), 8);
    assert.is(h.harness_req_pages(b), 3);
    ok();
    h.harness_server_reply(a);
    h.harness_server_reply(b);
    ok();
  });
}
test("request timeout: a request's age starts when it is sent (fuse_req allocated), not when its fill started", () => {
  // 6.15+ fuse_check_timeout() tests each list head's req->create_time, set by fuse_request_init() when
  // fuse_simple_background() allocates the fuse_req at send. An fsync walk starts request B for page 0 at 0 s, waits
  // on page 1 (request A, read by the server) until A's reply at 19 s, then sends B. At 20 s, with a 15 s timeout:
  // B was created 1 s ago and is the only request left, so nothing has expired (its fill began 20 s ago).
  const s = 1e9;
  const { h, ok } = harness("nocopy");
  assert.is(h.harness_do_write(0, 4096, 4096), WRITE_DONE);
  assert.is(h.harness_writeback(0), 1); // A = [1], sent at 0 s
  const a = h.harness_server_read();
  assert.is(h.harness_do_write(0, 4096, 100), WRITE_DONE);
  assert.is(h.harness_do_write(0, 0, 4096), WRITE_DONE);
  assert.is(h.harness_fsync(0), W_WAIT_FSYNC_FOLIO);
  assert.is(h.harness_fsync_held_pages(), 1, "B, being filled, holds page 0");
  h.harness_set_now(16 * s);
  assert.ok(h.harness_request_expired(15 * s), "A, read at 0 s and unanswered, heads its processing bucket: expired");
  h.harness_set_now(19 * s);
  h.harness_server_reply(a);
  h.harness_fsync(0); // the walk goes on and builds B (pages 0 and 1)
  assert.is(h.harness_fsync_held_pages(), 0);
  h.harness_fsync(0); // and sends it, at the end of the walk's CPU (the harness's clock stands still)
  ok();
  h.harness_set_now(20 * s);
  assert.not.ok(h.harness_request_expired(15 * s), "B was created at 19 s");
  h.harness_set_now(34.5 * s);
  assert.ok(h.harness_request_expired(15 * s), "B, at the head of fiq->pending, 15.5 s after its send");
});

// fs/fuse/file.c: an abort ends each request in flight through fuse_writepage_end(), whose mapping_set_error()
// records the error on the file; a request sent after it is refused (fuse_simple_background() fails on a broken
// connection only), and fuse_send_writepage()'s out_free ends its writeback without recording one (6.1, 6.12 and
// 6.16 alike). Either way the pages are clean and unwritten: lost.
for (const policy of ["legacy-copy", "nocopy"] as const) {
  test(`${policy}: an abort records an error for the requests in flight, not for those sent after it`, () => {
    const { sim, h, page, stat, ok } = harness(policy, 1024, {}, {}, {}, 2);
    // file 0 has a request in flight at the abort; file 1 is only dirty then, and written back after it
    assert.is(h.harness_do_write(0, 0, 8 * 4096), WRITE_DONE);
    assert.is(h.harness_do_write(1, 0, 8 * 4096), WRITE_DONE);
    assert.is(h.harness_writeback(0), 1);
    ok();
    h.harness_abort();
    ok();
    assert.is(h.harness_ino_error(0), 1, "fuse_writepage_end(): mapping_set_error()");
    assert.is(stat("nr_dirty"), 8, "file 1 is still dirty");
    assert.is(h.harness_writeback(1), 1, "the walk builds and sends one request");
    ok();
    assert.is(h.harness_ino_error(1), 0, "out_free: no mapping_set_error()");
    for (let i = 0; i < 8; i++) {
      const p = page(h.harness_mapping_pfn(1, i));
      assert.not.ok(p.flags & (PG_dirty | PG_writeback), "written back as far as the cache knows");
      assert.is.not(h.harness_server_version(1, i), h.harness_page_version(1, i), "the server never got it");
    }
    assert.is(stat("nr_dirty") + stat("nr_writeback") + stat("nr_writeback_temp"), 0);
    h.integrity_check();
    const integrity = sim.integrity();
    assert.is(integrity.writesLost, 16, "both files' pages are lost");
    assert.is(integrity.filesWithErrors, 1, "only the file whose request was in flight");
  });
}

test.run();
