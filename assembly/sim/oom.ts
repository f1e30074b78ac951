// The OOM killer (mm/oom_kill.c: out_of_memory() -> select_bad_process() -> oom_badness() -> oom_kill_process())
// and the road to it in mm/page_alloc.c: an allocation that may not fail (order <= PAGE_ALLOC_COSTLY_ORDER with
// __GFP_FS: GFP_KERNEL, GFP_HIGHUSER_MOVABLE) retries direct reclaim, and after more than MAX_RECLAIM_RETRIES
// loops without progress (should_reclaim_retry()) __alloc_pages_may_oom() calls out_of_memory(). The FUSE temp
// page (GFP_NOFS) never gets here: out_of_memory() returns true for it without killing anyone; THP and
// alloc_contig_range may fail instead.
// The tasks are the scenario's: the FUSE server, the fio writers, anon churn, THP holders. oom_badness() is rss
// + swap (none) + page tables; rss counts the memory the model allocates for a task (the server's receive
// buffers, a writer's I/O buffer, the anon pages of churn and THP), not binaries or libraries. The first task with
// the most points goes; among equals the last in the task list (oom_evaluate_task() skips only a task with fewer
// points than the chosen one, so an equal one replaces it; for_each_process() walks the tasks in the order they
// started, here the server, the fio jobs, then the workloads).
import { NONE, MAX_RECLAIM_RETRIES, PAGE_ALLOC_COSTLY_ORDER } from "../mm/constants";
import { alloc_pages_may_reclaim, did_some_progress } from "../mm/direct_compact";
import { charge_reset } from "./charge";
import { jiffy_ns } from "./jiffies";
import { unreserve_highatomic_pageblock, gfp_to_alloc_flags, highest_zoneidx } from "../mm/page_alloc";
import { populated_zone, wmark_min, watermark_boost, NR_FREE_PAGES } from "../mm/zone";
import { __zone_watermark_ok_free } from "../mm/watermark";
import { zone_reclaimable_pages } from "../fs/lru";
import { now } from "./clock";
import { stat_value, st_add, OOM_KILLS, OOM_KILL_SERVER, OOM_KILL_WRITER, OOM_KILL_CHURN, OOM_KILL_THP, OOM_NO_VICTIM, OOM_FIRST_NS } from "../fs/stats";
import { param, wl_param, CFG_NR_WL, WL_KIND, MAX_WL } from "./config";
import { writer_count, writer_is_task, writer_rss, writer_oom_kill } from "../fs/writer";
import { server_is_task, server_rss, server_oom_kill } from "../fuse/server";
import { churn_is_task, churn_rss, churn_oom_kill } from "./churn";
import { highorder_is_task, highorder_rss, highorder_oom_kill } from "./highorder";

/** Retry counters, each the no_progress_loops of one task's allocation: one per writer (0..63), per server thread
 *  (64..319), per churn workload (320..351). */
export const OOM_CTX_SERVER: u32 = 64;
export const OOM_CTX_CHURN: u32 = 64 + 256;
const OOM_CTXS: i32 = <i32>OOM_CTX_CHURN + MAX_WL;
const no_progress = new StaticArray<u32>(OOM_CTXS);

export function oom_reset(): void { for (let i = 0; i < OOM_CTXS; i++) unchecked(no_progress[i] = 0); }

/** An allocation of context ctx succeeded: its loop is over. */
export function oom_progress(ctx: u32): void { unchecked(no_progress[ctx] = 0); }

/** An allocation of context ctx failed again after direct reclaim, which reclaimed something (`progress`) or not.
 *  should_reclaim_retry(): progress at order <= PAGE_ALLOC_COSTLY_ORDER (every caller's) starts the count again;
 *  past MAX_RECLAIM_RETRIES loops without it the OOM killer runs. True when it killed a task or gave back a
 *  highatomic block (memory may now be free: try again). */
export function oom_after_no_progress(ctx: u32, gfp: u32, progress: bool, order: u32 = 0): bool {
  const n: u32 = progress ? 0 : unchecked(no_progress[ctx]) + 1;
  unchecked(no_progress[ctx] = n);
  // "Keep reclaiming pages while there is a chance this will lead somewhere": past the retries, or when no zone
  // could meet the request even with every reclaimable page reclaimed, the OOM path
  if (n <= MAX_RECLAIM_RETRIES && reclaim_could_succeed(gfp, order)) return false;
  // should_reclaim_retry(): "Before OOM, exhaust highatomic_reserve": each loop past the limit gives back one
  // reserved block (force: the last one too) and retries; the OOM killer runs once none is left
  if (unreserve_highatomic_pageblock(gfp, true)) return true;
  unchecked(no_progress[ctx] = 0);
  return out_of_memory();
}

/** One round of __alloc_pages_slowpath() for workload task ctx (a churn or THP workload's allocation): the slow
 *  path with direct reclaim, and, when it still fails below the costly order, the round's count toward the OOM
 *  killer and one more try if the killer (or a highatomic block given back) may have freed memory. NONE: the round
 *  failed (the caller checks whether the OOM killer chose its own task). */
export function alloc_pages_oom_round(ctx: u32, gfp: u32, order: u32): u32 {
  const pfn = alloc_pages_may_reclaim(gfp, order);
  if (pfn != NONE || order > PAGE_ALLOC_COSTLY_ORDER || !oom_after_no_progress(ctx, gfp, did_some_progress, order)) return pfn;
  return alloc_pages_may_reclaim(gfp, order);
}

/** When a task whose allocation below the costly order failed a round tries again: it is still in the allocation,
 *  and should_reclaim_retry() loops (only cond_resched() for a user task) after whatever its reclaim slept in
 *  reclaim_throttle() (the running context's charge, taken here); a round that did not sleep waits a jiffy,
 *  standing in for the CPU of the reclaim passes the kernel's task spins through (not charged), as a writer's does
 *  (fs/writer.ts grab_folio()). */
export function slowpath_next_round(): u64 {
  const slept = <u64>charge_reset();
  return now + slept + (slept != 0 ? 0 : jiffy_ns());
}

/** should_reclaim_retry()'s zone loop: would some zone up to the request's highest meet the min watermark (boost
 *  included: min_wmark_pages()) at this order with its free pages plus zone_reclaimable_pages(), the zone's file LRU
 *  (no swap, so anon does not count), or its free pages again when that is 0 (the stable fix in 6.1.192 and
 *  6.12.118: "ensure zones with sufficient free pages are not skipped")? */
function reclaim_could_succeed(gfp: u32, order: u32): bool {
  const highest = highest_zoneidx(gfp), flags = gfp_to_alloc_flags(gfp, order);
  for (let zi = <i32>highest; zi >= 0; zi--) {
    const z = <u32>zi;
    if (!populated_zone(z)) continue;
    const free = <i64>max<i32>(unchecked(NR_FREE_PAGES[z]), 0);
    const reclaimable = <i64>zone_reclaimable_pages(z);
    const mark = <i64>unchecked(wmark_min[z]) + <i64>unchecked(watermark_boost[z]);
    if (__zone_watermark_ok_free(z, order, mark, highest, flags, free + reclaimable)) return true;
  }
  return false;
}

const KIND_SERVER: u32 = 0, KIND_WRITER: u32 = 1, KIND_CHURN: u32 = 2, KIND_THP: u32 = 3;
let best_points: i64 = -1, best_kind: u32 = NONE, best_index: u32 = 0;
function consider(kind: u32, index: u32, rss: u32): void {
  // oom_badness(): rss + swap entries (no swap here) + page tables (8 bytes a PTE: rss / 512 pages)
  const points = <i64>rss + (<i64>rss >> 9);
  if (points >= best_points) { best_points = points; best_kind = kind; best_index = index; }
}

/** select_bad_process() and oom_kill_process(): false when no task can be killed (the kernel panics there). */
export function out_of_memory(): bool {
  best_points = -1; best_kind = NONE; best_index = 0;
  if (server_is_task()) consider(KIND_SERVER, 0, server_rss());
  for (let j: u32 = 0; j < writer_count(); j++) if (writer_is_task(j)) consider(KIND_WRITER, j, writer_rss(j));
  const nr_wl = <u32>param(CFG_NR_WL);
  for (let i: u32 = 0; i < nr_wl; i++) {
    if (churn_is_task(i)) consider(KIND_CHURN, i, churn_rss(i));
    else if (highorder_is_task(i)) consider(KIND_THP, i, highorder_rss(i));
  }
  if (best_kind == NONE) { st_add(OOM_NO_VICTIM, 1); return false; }
  if (stat_value(OOM_KILLS) == 0) st_add(OOM_FIRST_NS, <i64>now);
  st_add(OOM_KILLS, 1);
  if (best_kind == KIND_SERVER) { st_add(OOM_KILL_SERVER, 1); server_oom_kill(); }
  else if (best_kind == KIND_WRITER) { st_add(OOM_KILL_WRITER, 1); writer_oom_kill(best_index); }
  else if (best_kind == KIND_CHURN) { st_add(OOM_KILL_CHURN, 1); churn_oom_kill(best_index); }
  else { st_add(OOM_KILL_THP, 1); highorder_oom_kill(best_index); }
  return true;
}
