// Migration outcomes (mm/migrate.c) for each writeback path and remedy, one folio at a time through the
// harness. Each expected result is the kernel's rule, or the remedy's design, cited beside it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  harness, NONE, MIGRATE_ASYNC, MIGRATE_SYNC_LIGHT, MIGRATE_SYNC, MIGRATEPAGE_SUCCESS, EAGAIN, EBUSY, ENOTMOVABLE,
  MIGRATE_WAIT, PG_owner, PG_folio_writeback, PG_dirty,
} from "./helpers/harness.js";
import { MIGRATE_UNMOVABLE } from "../host/core/constants.js";

// Large folios are forced on (a what-if: no released kernel gives FUSE files any) where a test needs a folio of
// several pages: migration moves and cancels whole folios.
const LARGE = { large_folios: true };

test("a clean page-cache folio migrates: the mapping points at the new folio, the old one is freed", () => {
  const { h, page, ok } = harness("nocopy", 1024, {}, {}, LARGE);
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  h.harness_server_reply(h.harness_server_read());
  const before = h.harness_mapping_pfn(0, 0);
  assert.is(h.harness_migrate_pfn(before, MIGRATE_ASYNC), MIGRATEPAGE_SUCCESS);
  ok();
  const after = h.harness_mapping_pfn(0, 0);
  assert.is.not(after, before);
  assert.is(page(after).order, 2);
  assert.not.ok(page(before).flags & PG_owner, "the source went back to the buddy allocator");
  assert.is(h.harness_server_version(0, 3), h.harness_page_version(0, 3), "content token kept");
});

test("a dirty folio migrates with its per-block dirty state", () => {
  const { h, page, stat, ok } = harness("nocopy", 1024, {}, {}, LARGE);
  h.harness_do_write(0, 0, 4 * 4096);
  const before = h.harness_mapping_pfn(0, 0);
  assert.is(h.harness_migrate_pfn(before, MIGRATE_ASYNC), MIGRATEPAGE_SUCCESS);
  ok();
  assert.ok(page(h.harness_mapping_pfn(0, 2)).flags & PG_dirty);
  assert.is(stat("nr_dirty"), 4);
});

test("copy-free: a folio under writeback is -EBUSY for async and sync-light, and sync waits (migrate_folio_unmap)", () => {
  const { h, page, stat, ok } = harness("nocopy");
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  const pfn = h.harness_mapping_pfn(0, 0);
  assert.ok(page(pfn).flags & PG_folio_writeback);
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_ASYNC), EBUSY);
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_SYNC_LIGHT), EBUSY);
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_SYNC), MIGRATE_WAIT, "MIGRATE_SYNC sleeps in folio_wait_writeback()");
  // pgmigrate_fail counts pages: two failed migrations of the order-0 folio (the kernels' FUSE page cache) are 2;
  // the MIGRATE_SYNC wait is not a failure
  assert.is(stat("pgmigrate_fail"), 2);
  ok();
  // once the server answers, the same folio moves
  h.harness_server_reply(h.harness_server_read());
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_SYNC), MIGRATEPAGE_SUCCESS);
  ok();
});

test("nocopy-migrate-skip (the rejected v6 patch): even MIGRATE_SYNC does not wait on these mappings", () => {
  const { h } = harness("nocopy-migrate-skip");
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_SYNC), EBUSY);
});

test("nocopy-cancel: writeback of a request the server has not read is cancelled, the folio redirtied and moved", () => {
  const { h, page, stat, ok } = harness("nocopy-cancel", 1024, {}, {}, LARGE);
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0); // queued, not read by the server
  const pfn = h.harness_mapping_pfn(0, 0);
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_SYNC_LIGHT), MIGRATEPAGE_SUCCESS);
  ok();
  assert.is(stat("writeback_cancelled"), 4);
  assert.is(stat("nr_writeback"), 0);
  assert.ok(page(h.harness_mapping_pfn(0, 0)).flags & PG_dirty, "sent again by a later writeback");
  // the old request still goes to the server, carrying nothing for the cancelled blocks
  h.harness_server_reply(h.harness_server_read());
  ok();
  assert.is(h.harness_server_version(0, 0), 0);
  h.harness_writeback(0);
  h.harness_server_reply(h.harness_server_read());
  assert.is(h.harness_server_version(0, 0), h.harness_page_version(0, 0));
});

test("nocopy-cancel: pages a splicing server holds cannot be cancelled (-EBUSY, pinned)", () => {
  const { h, stat, ok } = harness("nocopy-cancel");
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  const req = h.harness_server_read_spliced();
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_SYNC), EBUSY);
  assert.is(stat("pgmigrate_fail"), 1, "the order-0 folio's one page");
  assert.is(stat("writeback_cancelled"), 0);
  h.harness_server_reply(req); // the reply drops the pipe's references (no splice hold)
  ok();
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_ASYNC), MIGRATEPAGE_SUCCESS);
});

test("a splicing passthrough_ll server holds its pipe's references while it works on a request and drops them once it has stored the data, answer or not", () => {
  // lo_write_buf(): fuse_buf_copy() splices the pipe into the backing file before fuse_reply_write(), and the
  // backing file's ->splice_write copies and releases the pipe buffers. While the server works on the request (the
  // model: from its read to its reply event) the pipe holds the page, and nocopy-cancel's cancel is refused (-EBUSY,
  // pinned). Once the work is done (here a server that then drops its answer) the pipe holds nothing: the cancel
  // ends the folio's writeback (the data is at the server) and the folio migrates.
  const { h, stat, ok } = harness("nocopy-cancel", 1024, { splice: true, privileged: true, faults: { drop_fraction: 1 } });
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  const req = h.harness_server_work(0); // splice(2) from /dev/fuse, then the server's work on the request
  assert.is.not(req, NONE);
  ok();
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_SYNC), EBUSY);
  assert.is(stat("writeback_cancelled"), 0);
  h.harness_server_reply_worker(0); // the store is done; the answer is never written
  ok();
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_SYNC), MIGRATEPAGE_SUCCESS);
  assert.is(stat("writeback_cancelled"), 1, "the order-0 folio's one page");
});

test("the splice read path's own kernel memory: each worker's pipe ring, and the pipe_buffer array while it waits", () => {
  // libfuse grows each worker's pipe to 2 MiB (round_pipe_size() of 1 MiB + 4 KiB): 512 slots, and
  // pipe_resize_ring() kcallocs 512 x sizeof(struct pipe_buffer) (40) = 20 KiB, above KMALLOC_MAX_CACHE_SIZE (8 KiB):
  // an order-3 block from the page allocator, GFP_KERNEL_ACCOUNT, unmovable, for the pipe's life.
  // fuse_dev_splice_read() kvmalloc_array()s the same 20 KiB (order 3, unmovable) before fuse_dev_do_read() waits
  // and kvfree()s it when the read returns; fuse_copy_fill()'s header page (GFP_HIGHUSER) is gone once libfuse has
  // read the header.
  const { h, page, ok } = harness("nocopy", 1024, { splice: true, privileged: true });
  h.harness_do_write(0, 0, 4 * 4096);
  h.harness_writeback(0);
  const req = h.harness_server_work(0); // a request is pending: the read returns at once
  ok();
  const ring = h.harness_server_dev_pfn(0, 0);
  assert.is.not(ring, NONE);
  assert.is(page(ring).order, 3);
  assert.is(page(ring).allocMt, MIGRATE_UNMOVABLE);
  assert.ok(page(ring).flags & PG_owner);
  assert.is(h.harness_server_dev_pfn(0, 1), NONE, "the array went with the read's return");
  assert.is.not(req, NONE);
  h.harness_server_reply_worker(0);
  h.harness_server_work(0); // nothing pending: the worker sleeps in splice(2), holding its array
  ok();
  const bufs = h.harness_server_dev_pfn(0, 1);
  assert.is.not(bufs, NONE);
  assert.is(page(bufs).order, 3);
  assert.is(page(bufs).allocMt, MIGRATE_UNMOVABLE);
  assert.is(h.harness_server_dev_pfn(0, 0), ring, "one ring for the pipe's life");
});

test("an extra reference (a pipe that outlives the reply) makes migration -EAGAIN (folio_migrate_mapping)", () => {
  const { h, stat, ok } = harness("nocopy");
  h.harness_do_write(0, 0, 4096);
  h.harness_writeback(0);
  h.harness_server_reply(h.harness_server_read());
  const pfn = h.harness_mapping_pfn(0, 0);
  h.harness_get_page(pfn);
  assert.is(h.harness_migrate_pfn(pfn, MIGRATE_SYNC), EAGAIN);
  assert.is(stat("pgmigrate_fail"), 1, "one order-0 folio, after every -EAGAIN retry");
  ok();
});

test("legacy: temp pages never migrate; the originals are free to move as soon as the request is queued", () => {
  const { h, ok } = harness("legacy-copy");
  h.harness_do_write(0, 0, 2 * 4096);
  h.harness_writeback(0);
  const req = h.harness_server_read();
  assert.is(h.harness_migrate_pfn(h.harness_req_pfn(req, 0), MIGRATE_SYNC), ENOTMOVABLE, "GFP_NOFS temp page: not on the LRU");
  assert.is(h.harness_migrate_pfn(h.harness_mapping_pfn(0, 0), MIGRATE_ASYNC), MIGRATEPAGE_SUCCESS);
  ok();
  h.harness_server_reply(req);
  ok();
});

test.run();
