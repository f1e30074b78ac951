// A kernel-harness API for tests (like tools/testing/vma): set up a state, do one thing, look at the exact
// state after. Nothing here runs on its own: no writer, flusher or server thread is scheduled.
import { pcp_list_len_of_cpu, set_this_cpu, per_cpu_pcp, drain_all_pages } from "../mm/pcp";
import { NONE } from "../mm/constants";
import { page_flags, page_alloc_mt, page_order, page_ref, set_page_ref } from "../mm/page";
import { mapping_pfn, page_version, set_page_version, server_version, ino_dirtied_when, ino_error } from "../fs/inode";
import { folio_mark_blocks_dirty, folio_clear_reclaim, folio_head } from "../fs/folio";
import { wb_list_at, queue_io, requeue_inode, writeback_single_inode_flags } from "../fs/wb_lists";
import { harness_write, set_writers_autostart, harness_fsync_step, harness_fsync_held } from "../fs/writer";
import { writeback_inode_all, harness_flusher_hold, walk_wrote, flusher_timer_armed } from "../fs/writeback";
import { server_pick, server_reply, server_dev_pfn } from "../fuse/server";
import { pending_pop, pending_head, request_read, set_req_state, set_req_spliced, req_nr, req_pfn, req_start, req_next, REQ_PROCESSING } from "../fuse/request";
import { request_replied, fuse_request_expired, fuse_abort_conn } from "../fuse/conn";
import { set_now } from "./clock";
import { charge_reset } from "./charge";
import { run_on } from "./cpus";
import { lruvec_node_congested } from "../fs/scan_control";
import { churn_alloc, churn_is_task, churn_next_alloc_at } from "./churn";
import { out_of_memory } from "./oom";
import { sim_init } from "./run";
import { __alloc_pages, alloc_pages_after_reclaim, unreserve_highatomic_pageblock } from "../mm/page_alloc";
import { dtc_set, set_strictlimit, set_dom_dirty_limit, dtc_pos_ratio, __wb_calc_thresh, dtc_thresh, dtc_dirty } from "../fs/dirty";
import { totalreserve_pages } from "../mm/watermark";
import {
  wb_bandwidth_set, wb_stamps_set, wb_update_dirty_ratelimit, wb_update_write_bandwidth, wb_writeout_add,
  dirty_ratelimit, balanced_dirty_ratelimit, write_bandwidth, avg_write_bandwidth,
} from "../fs/wb_bandwidth";
import {
  pos_ratio_polynom, wb_position_ratio, balance_dirty_pages_pause, dirty_poll_interval, bdp_task_ratelimit,
  bdp_max_pause, bdp_min_pause, bdp_nr_dirtied_pause, bdp_period, bdp_pause, task_nr_dirtied, task_nr_dirtied_pause,
} from "../fs/balance_dirty_pages";
import { migrate_one, put_target, MR_SYSCALL } from "../mm/migrate";
import { __GFP_MOVABLE, GFP_LRU, ZONE_NORMAL } from "../mm/constants";
import { __alloc_pages_direct_compact, alloc_pages_may_reclaim } from "../mm/direct_compact";
import { thp_fault } from "./highorder";
import { try_to_free_pages } from "../fs/reclaim";
import { max_seq, min_seq, lru_gen_pages, lru_gen_entry, lru_entry } from "../fs/lru";
import { compaction_suitable, fragmentation_score_node } from "../mm/compaction";
import { wmark_pages } from "../mm/watermark";
import {
  compact_cached_migrate_pfn, compact_cached_free_pfn, compact_defer_shift, compact_considered, compact_order_failed,
  compact_blockskip_flush, compact_init_migrate_pfn, get_pageblock_skip,
} from "../mm/compact_control";
import { zone_flags, ZONE_BOOSTED_WATERMARK } from "../mm/zone";
import { kswapd_is_running, kswapd_run, kswapd_is_throttled, kswapd_sleep_number, kswapd_sleep_until } from "../fs/kswapd";
import { wakeup_kcompactd, kcompactd_run, kcompactd_timer, kcompactd_is_awake } from "../mm/kcompactd";
import { alloc_contig_pages, alloc_contig_range, contig_wait_pfn, contig_wait_start, contig_wait_zone, contig_range_isolated, CONTIG_CALLER } from "../mm/contig";
import { __move_freepages_block } from "../mm/rmqueue";
import { page_zone } from "../mm/zone";
import { get_pageblock_migratetype } from "../mm/page";
import { pageblock_nr_pages } from "../mm/constants";
import { OWNER_ANON, ANON_CHURN, anon_slot_alloc } from "../mm/anon";
import { set_page_next, set_page_prev } from "../mm/page";

/** sim_init() without starting the writers (the host sets server threads to 0). */
export function harness_init(): void {
  set_writers_autostart(false);
  sim_init();
  set_writers_autostart(true);
}

/** write(2) by writer j (file j) of len bytes at off: 0 done, 1 waits on writeback, 2 no memory. */
export function harness_do_write(j: u32, off: f64, len: f64): u32 { return harness_write(j, <u64>off, <u64>len); }
/** Task j's current->nr_dirtied and nr_dirtied_pause. */
export function harness_task_nr_dirtied(j: u32): f64 { return <f64>task_nr_dirtied(j); }
export function harness_task_nr_dirtied_pause(j: u32): f64 { return <f64>task_nr_dirtied_pause(j); }

/** One step of writer j's fsync (the first call starts it): the writer's state after (6: waiting on a folio's
 *  writeback inside the walk). */
export function harness_fsync(j: u32): u32 { return harness_fsync_step(j, false); }
/** The same for close(2): fuse_flush() -> write_inode_now(), which holds the inode's I_SYNC (9: waiting for it). */
export function harness_close(j: u32): u32 { return harness_fsync_step(j, true); }
/** The flusher takes (true) or ends (false, inode_sync_complete()) its writeback of inode ino. */
export function harness_flusher_i_sync(ino: u32, hold: bool): void { harness_flusher_hold(ino, hold); }
/** Pages of the request writer j's blocked fsync walk holds, as of the last harness_fsync() (0: none). */
export function harness_fsync_held_pages(): u32 { return harness_fsync_held; }

// The wb's inode lists (fs/wb_lists.ts), driven directly: times are jiffies the test gives.
/** l: 1 b_dirty, 2 b_io, 3 b_more_io; the inode at position k from the head, NONE past the end. */
export function harness_wb_list(l: u32, k: u32): u32 { return wb_list_at(l, k); }
export function harness_wb_queue_io(dirtied_before: f64): u32 { return queue_io(<i64>dirtied_before); }
/** requeue_inode() after a flusher call that left nr_to_write of its chunk (its I_DIRTY_PAGES from the file). */
export function harness_wb_requeue(ino: u32, nr_to_write: f64, dirtied_before: f64, jiffies: f64): void {
  writeback_single_inode_flags(ino);
  requeue_inode(ino, <i64>nr_to_write, false, <i64>dirtied_before, <u64>jiffies);
}
export function harness_wb_dirtied_when(ino: u32): f64 { return <f64>unchecked(ino_dirtied_when[ino]); }
export function harness_wb_set_dirtied_when(ino: u32, j: f64): void { unchecked(ino_dirtied_when[ino] = <u64>j); }

/** ->writepages over every dirty page of file ino; returns the requests sent. */
export function harness_writeback(ino: u32): u32 { return writeback_inode_all(ino); }
/** The flusher's periodic timer is pending. */
export function harness_flusher_timer_armed(): bool { return flusher_timer_armed(); }
/** What the last walk took from wbc->nr_to_write (pages of the folios it wrote). */
export function harness_walk_wrote(): f64 { return <f64>walk_wrote; }

/** The server reads the oldest pending request (NONE if none). */
export function harness_server_read(): u32 {
  const r = pending_pop();
  if (r != NONE) request_read(r);
  return r;
}

/** Virtual time jumps to t ns (nothing scheduled runs). */
export function harness_set_now(t: f64): void { set_now(<u64>t); }
/** fuse_check_timeout()'s test now, with req_timeout in ns. */
export function harness_request_expired(timeout_ns: f64): bool { return fuse_request_expired(<u64>timeout_ns); }

/** Server worker t runs server_pick(): it reads the oldest pending request and handles it up to its reply, which
 *  is scheduled but not run (harness_server_reply() answers it). Returns the request, NONE if none was pending. */
export function harness_server_work(t: u32): u32 {
  const r = pending_head();
  server_pick(t);
  return r;
}

/** Worker t's pipe ring (kind 0) or fuse_dev_splice_read()'s pipe_buffer array (kind 1): its head PFN or NONE. */
export function harness_server_dev_pfn(t: u32, kind: u32): u32 { return server_dev_pfn(t, kind); }

/** Server worker t writes its reply (server_reply(): the request ends, the worker goes back to its read). */
export function harness_server_reply_worker(t: u32): void { server_reply(t); }

/** The server replies to a request it read. */
export function harness_server_reply(req: u32): void { request_replied(req); }

/** fuse_abort_conn(), as a server crash or an expired request calls it. */
export function harness_abort(): void { fuse_abort_conn(); }
/** The file's recorded writeback error (mapping_set_error()): 1 if set. */
export function harness_ino_error(ino: u32): u32 { return unchecked(ino_error[ino]); }
export function harness_req_pages(req: u32): u32 { return req_nr(req); }
export function harness_req_start(req: u32): u32 { return req_start(req); }
export function harness_req_pfn(req: u32, i: u32): u32 { return req_pfn(req, i); }
export function harness_req_next(req: u32): u32 { return req_next(req); }
export function harness_mapping_pfn(ino: u32, index: u32): u32 { return mapping_pfn(ino, index); }
/** flags | order << 16 | allocation migratetype << 24 */
export function harness_page_info(pfn: u32): u32 {
  return page_flags(pfn) | (page_order(pfn) << 16) | (page_alloc_mt(pfn) << 24);
}

/** The page is dirtied again without fuse_write_begin()'s wait: what a direct read into an mmaped FUSE file
 *  does (the comment in fuse_writepage_need_send()). Returns false if the page is not cached. */
export function harness_redirty(ino: u32, index: u32): bool {
  const pfn = mapping_pfn(ino, index);
  if (pfn == NONE) return false;
  set_page_version(ino, index, page_version(ino, index) + 1);
  folio_clear_reclaim(folio_head(pfn)); // set_page_dirty() -> folio_mark_dirty()
  folio_mark_blocks_dirty(ino, index, pfn, 1);
  return true;
}
export function harness_page_version(ino: u32, index: u32): u32 { return page_version(ino, index); }
export function harness_server_version(ino: u32, index: u32): u32 { return server_version(ino, index); }

function harness_target(order: u32): u32 { return __alloc_pages(__GFP_MOVABLE | GFP_LRU, order); }
/** migrate_pages() of the folio holding pfn alone (reason MR_SYSCALL, as move_pages(2)), in mode 0 async,
 *  1 sync-light, 2 sync; returns the result: 0, or the error of the last pass. */
export function harness_migrate_pfn(pfn: u32, mode: u32): i32 {
  return migrate_one(pfn & ~((<u32>1 << page_order(pfn)) - 1), mode, MR_SYSCALL, harness_target, put_target);
}

/** The server reads the oldest pending request with splice(): its pages are referenced by a pipe. */
export function harness_server_read_spliced(): u32 {
  const r = harness_server_read();
  if (r == NONE) return r;
  set_req_spliced(r, true);
  const n = req_nr(r);
  for (let i: u32 = 0; i < n; i++) { const p = req_pfn(r, i); if (p != NONE) set_page_ref(p, page_ref(p) + 1); }
  return r;
}
/** get_page(): one more reference on the page (a pipe or a GUP pin holding it). */
export function harness_get_page(pfn: u32): void { set_page_ref(pfn, page_ref(pfn) + 1); }
/** put_page() of a reference harness_get_page() took (never the last one). */
export function harness_put_page(pfn: u32): void { set_page_ref(pfn, page_ref(pfn) - 1); }

// The dirty throttle's arithmetic on inputs a test sets (mm/page-writeback.c), in f64 for the host.
/** The global domain's and the wb's numbers, as a dtc holds them; dirty_limit is dom->dirty_limit. */
export function harness_dtc_set(strict: bool, thresh: f64, bg_thresh: f64, dirty: f64, wb_thresh: f64, wb_bg_thresh: f64, wb_dirty: f64, dirty_limit: f64): void {
  set_strictlimit(strict);
  dtc_set(<u64>thresh, <u64>bg_thresh, <u64>dirty, <u64>wb_thresh, <u64>wb_bg_thresh, <u64>wb_dirty);
  set_dom_dirty_limit(<u64>dirty_limit, 0);
}
/** The wb's estimates, pages a second. */
export function harness_wb_set(write_bw: f64, avg_write_bw: f64, ratelimit: f64, balanced: f64): void {
  wb_bandwidth_set(<u64>write_bw, <u64>avg_write_bw, <u64>ratelimit, <u64>balanced);
}
export function harness_wb_stamps_set(dirtied_stamp: f64, written_stamp: f64): void { wb_stamps_set(0, <u64>dirtied_stamp, <u64>written_stamp); }
export function harness_pos_ratio_polynom(setpoint: f64, dirty: f64, limit: f64): f64 { return <f64>pos_ratio_polynom(<u64>setpoint, <u64>dirty, <u64>limit); }
export function harness_wb_position_ratio(): f64 { wb_position_ratio(); return <f64>dtc_pos_ratio; }
export function harness_dirty_poll_interval(dirty: f64, thresh: f64): f64 { return <f64>dirty_poll_interval(<u64>dirty, <u64>thresh); }
/** balance_dirty_pages_pause() with the dtc's pos_ratio: [task_ratelimit, max_pause, min_pause,
 *  nr_dirtied_pause, period, pause] through harness_bdp_result(i). */
export function harness_bdp_pause(pages_dirtied: f64, think: f64): void { balance_dirty_pages_pause(<u64>pages_dirtied, <i64>think); }
export function harness_bdp_result(i: i32): f64 {
  if (i == 0) return <f64>bdp_task_ratelimit;
  if (i == 1) return <f64>bdp_max_pause;
  if (i == 2) return <f64>bdp_min_pause;
  if (i == 3) return <f64>bdp_nr_dirtied_pause;
  if (i == 4) return <f64>bdp_period;
  return <f64>bdp_pause;
}
/** __wb_calc_thresh() of `thresh` against the dtc's thresh and dirty (6.14+'s bump, per the run's kernel). */
export function harness_wb_calc_thresh(thresh: f64): f64 { return <f64>__wb_calc_thresh(<u64>thresh); }
/** __wb_writeout_add(): nr pages of the FUSE wb finished writeback. */
export function harness_wb_writeout(nr: f64): void { wb_writeout_add(<i64>nr); }
/** wb_update_dirty_ratelimit() and wb_update_write_bandwidth() with the given counters, elapsed in jiffies. */
export function harness_wb_update_dirty_ratelimit(dirtied: f64, elapsed: f64): void { wb_update_dirty_ratelimit(<u64>dirtied, <u64>elapsed); }
export function harness_wb_update_write_bandwidth(elapsed: f64, written: f64): void { wb_update_write_bandwidth(<u64>elapsed, <u64>written); }
/** [dirty_ratelimit, balanced_dirty_ratelimit, write_bandwidth, avg_write_bandwidth] */
export function harness_wb_estimate(i: i32): f64 {
  if (i == 0) return <f64>dirty_ratelimit;
  if (i == 1) return <f64>balanced_dirty_ratelimit;
  if (i == 2) return <f64>write_bandwidth;
  return <f64>avg_write_bandwidth;
}
export function harness_totalreserve_pages(): f64 { return <f64>totalreserve_pages; }
export function harness_dtc_thresh_dirty(i: i32): f64 { return i == 0 ? <f64>dtc_thresh : <f64>dtc_dirty; }
// --- mm: compaction, reclaim, kswapd, kcompactd, one step at a time (test/compaction.test.ts, test/vmstat-counters.test.ts)

/** __alloc_pages_direct_compact() at a compact_priority (0 sync-full, 1 sync-light, 2 async): the page or NONE. */
export function harness_direct_compact(gfp: u32, order: u32, prio: u32): u32 { return __alloc_pages_direct_compact(gfp, order, prio); }
/** The whole slow path of a mask that may reclaim (alloc_pages_may_reclaim()). */
export function harness_alloc_may_reclaim(gfp: u32, order: u32): u32 { return alloc_pages_may_reclaim(gfp, order); }
/** What follows runs on CPU c (its per-cpu lists): the allocator's batch, kswapd, compaction. */
export function harness_set_cpu(c: u32): void { set_this_cpu(c); }
/** CPU c's pageset of zone z: 0 count, 1 high, 2 batch, 3 high_min, 4 high_max. */
/** The number of blocks on CPU c's per-cpu list pindex of zone z. */
export function harness_pcp_list_len(c: u32, z: u32, pindex: u32): u32 { return pcp_list_len_of_cpu(c, z, pindex); }
export function harness_pcp(c: u32, z: u32, field: u32): u32 {
  const pcp = per_cpu_pcp(c, z);
  if (field == 0) return pcp.count;
  if (field == 1) return pcp.high;
  if (field == 2) return pcp.batch;
  if (field == 3) return pcp.high_min;
  return pcp.high_max;
}
export function harness_drain_all_pages(): void { drain_all_pages(); }
/** A THP fault (highorder.ts), counted as thp_fault_alloc or thp_fault_fallback. */
export function harness_thp_fault(order: u32): u32 { return thp_fault(order); }
/** A THP fault outside a MADV_HUGEPAGE region (GFP_TRANSHUGE_LIGHT). */
export function harness_thp_fault_nomadvise(order: u32): u32 { return thp_fault(order, NONE, false); }
/** One allocation of churn workload i (its EV_CHURN_ALLOC step; the next one it schedules is not run here). */
export function harness_churn_alloc(i: u32): void { churn_alloc(i); }
/** When churn workload i's last allocation scheduled its next one (virtual ns). */
export function harness_churn_next_alloc_at(i: u32): f64 { return <f64>churn_next_alloc_at(i); }
/** Is churn workload i a task the OOM killer may choose (a movable churn not killed)? */
export function harness_churn_is_task(i: u32): bool { return churn_is_task(i); }
/** out_of_memory(): false when no task could be killed. */
export function harness_out_of_memory(): bool { return out_of_memory(); }
/** LRUVEC_NODE_CONGESTED: kswapd marked the node congested (fs/scan_control.ts). */
export function harness_node_congested(): bool { return lruvec_node_congested; }
/** The running context is `kind` (sim/cpus.ts CTX_*) number i: who reclaims, as an event would set it. */
export function harness_run_on(kind: u32, i: u32): void { run_on(kind, i); }
/** The running context's charge so far (virtual ns: its CPU costs and its sleeps in reclaim), reset to 0. */
export function harness_charge_reset(): f64 { return charge_reset(); }
/** try_to_free_pages(): direct reclaim for an allocation of this mask and order; pages reclaimed. */
export function harness_try_to_free_pages(gfp: u32, order: u32): u32 { return try_to_free_pages(gfp, order); }
/** MGLRU (fs/lru.ts): 0 max_seq, 1 min_seq (file). */
export function harness_lru_gen_seq(i: u32): f64 { return <f64>(i == 0 ? max_seq : min_seq); }
/** MGLRU: lrugen->nr_pages[gen][LRU_GEN_FILE][zone] */
export function harness_lru_gen_pages(gen: u32, z: u32): f64 { return <f64>lru_gen_pages(gen, z); }
/** MGLRU: the k-th live folio of generation gen in zone z from the tail (its file page id), NONE past the end. */
export function harness_lru_gen_entry(gen: u32, z: u32, k: u32): u32 { return lru_gen_entry(gen, z, k); }
/** The k-th folio of the classic list l (0 inactive, 1 active) from its tail, as lru_gen_entry(). */
export function harness_lru_entry(l: u32, k: u32): u32 { return lru_entry(l, k); }
/** compaction_suitable() against wmark_pages(z, w) (w: 0 min, 1 low, 2 high; boost included). */
export function harness_compaction_suitable(z: u32, order: u32, w: u32, highest: u32): bool {
  return compaction_suitable(z, order, wmark_pages(z, w), highest);
}
/** A zone's compaction state: 0 cached migrate pfn (async), 1 (sync), 2 cached free pfn, 3 compact_defer_shift,
 *  4 compact_considered, 5 compact_order_failed, 6 compact_blockskip_flush, 7 compact_init_migrate_pfn. */
export function harness_compact_state(z: u32, field: u32): u32 {
  if (field <= 1) return unchecked(compact_cached_migrate_pfn[2 * z + field]);
  if (field == 2) return unchecked(compact_cached_free_pfn[z]);
  if (field == 3) return unchecked(compact_defer_shift[z]);
  if (field == 4) return unchecked(compact_considered[z]);
  if (field == 5) return unchecked(compact_order_failed[z]);
  if (field == 6) return unchecked(compact_blockskip_flush[z]) ? 1 : 0;
  return unchecked(compact_init_migrate_pfn[z]);
}
export function harness_pageblock_skip(pfn: u32): bool { return get_pageblock_skip(pfn); }
/** zone->flags & ZONE_BOOSTED_WATERMARK */
export function harness_zone_boosted(z: u32): bool { return (unchecked(zone_flags[z]) & ZONE_BOOSTED_WATERMARK) != 0; }
/** kswapd woken (scheduled) and not yet back asleep. */
export function harness_kswapd_awake(): bool { return kswapd_is_running(); }
/** One kswapd pass (the EV_KSWAPD event). */
export function harness_kswapd(): void {
  kswapd_run();
  // a sleep in reclaim_throttle() ends at once here: the harness runs no events
  while (kswapd_is_throttled()) kswapd_run(kswapd_sleep_number());
}
/** One kswapd event as the simulation runs it: a pass from its start (arg 0) or from a sleep's end (its number),
 *  stopping at the next sleep in reclaim_throttle(). True while kswapd sleeps inside the pass. */
export function harness_kswapd_event(resume: bool): bool { kswapd_run(resume ? kswapd_sleep_number() : 0); return kswapd_is_throttled(); }
/** When kswapd's last sleep in reclaim_throttle() ends: its timer's time, or the moment writeback woke it (ns). */
export function harness_kswapd_sleep_until(): f64 { return <f64>kswapd_sleep_until; }
export function harness_wakeup_kcompactd(order: u32, highest: u32): void { wakeup_kcompactd(order, highest); }
/** kcompactd's wake-up (the EV_KCOMPACTD event), and its timed wake-up: the next timeout in ns. */
export function harness_kcompactd(): void { kcompactd_run(); }
export function harness_kcompactd_awake(): bool { return kcompactd_is_awake(); }
export function harness_kcompactd_timer(): f64 { return <f64>kcompactd_timer(); }
export function harness_fragmentation_score(): u32 { return fragmentation_score_node(); }
/** alloc_contig_pages() of 2^order pages from the top zone: 0 ok, -16 busy, -12 no memory, 1 waits on writeback. */
export function harness_alloc_contig(order: u32): i32 { return alloc_contig_pages(order, ZONE_NORMAL); }
/** The folio alloc_contig_pages()'s last CONTIG_WAIT waits on. */
export function harness_contig_wait_pfn(): u32 { return contig_wait_pfn; }
/** The task of the last CONTIG_WAIT wakes (its folio's writeback ended) and goes on in its still isolated range:
 *  the same results as harness_alloc_contig(). */
export function harness_contig_resume(order: u32): i32 {
  return alloc_contig_range(contig_wait_start, order, contig_wait_zone, false, CONTIG_CALLER, true);
}
/** offline_pages()' migration of [start, start + 2^order) in zone z, as highorder.ts's offline step runs it (`resume`:
 *  the range is isolated from the last call): 0 offline, -16 busy, -12 no memory, 1 waits on writeback. */
export function harness_offline_range(start: u32, order: u32, z: u32, resume: bool): i32 {
  return alloc_contig_range(start, order, z, true, CONTIG_CALLER, resume);
}
/** Whether the last alloc_contig_range() left its range isolated. */
export function harness_contig_range_isolated(): bool { return contig_range_isolated; }
/** The pageblock holding pfn becomes type mt, its free pages moved to mt's lists (move_freepages_block()): a
 *  block an earlier fallback claimed, set up directly. */
export function harness_set_pageblock_mt(pfn: u32, mt: u32): void {
  const block = pfn & ~(pageblock_nr_pages - 1);
  __move_freepages_block(page_zone(block), block, get_pageblock_migratetype(block), mt);
}
/** __alloc_pages_direct_reclaim()'s retry once try_to_free_pages() made progress (unreserve, drain, retry). */
export function harness_alloc_after_reclaim(gfp: u32, order: u32): u32 { return alloc_pages_after_reclaim(gfp, order); }
/** unreserve_highatomic_pageblock() for a request of this mask. */
export function harness_unreserve_highatomic(gfp: u32, force: bool): bool { return unreserve_highatomic_pageblock(gfp, force); }
/** An anon allocation (as churn makes them): owner OWNER_ANON, on the LRU if movable. Its PFN or NONE. */
export function harness_anon_alloc(gfp: u32, order: u32): u32 {
  const pfn = __alloc_pages(gfp, order);
  if (pfn == NONE) return NONE;
  const slot = anon_slot_alloc(pfn, order, ANON_CHURN);
  for (let k: u32 = 0; k < (<u32>1 << order); k++) { set_page_next(pfn + k, OWNER_ANON); set_page_prev(pfn + k, slot); }
  return pfn;
}
