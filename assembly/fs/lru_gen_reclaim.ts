// Reclaim with the multi-gen LRU (mm/vmscan.c, Debian's 6.12.118, CONFIG_LRU_GEN_ENABLED): shrink_node() hands a
// root reclaim to lru_gen_shrink_node(), which evicts from the oldest generation in batches (evict_folios()) until
// its scan target is met, and ages (a new generation) when too few cold folios are left. What the classic lists'
// shrink_node() also does is absent here, as it is in the kernel: no PGDAT_DIRTY or PGDAT_WRITEBACK (so reclaim
// never writes a file folio, even on a kernel with ->writepage), no should_continue_reclaim() loop for compaction,
// no deactivation, no cache_trim_mode.
//
// Folios here are file folios nobody accessed through a descriptor or a mapping (shrink_folio.ts), so each is in
// tier 0 of its generation and sort_folio() only ever sorts a folio of an ineligible zone; the anon type (the
// server's tmpfs) is never scanned: there is no swap, get_swappiness() is 0.
//
// Debian's 7.2.13 (mm/vmscan.c there) reworked this: evict_folios() takes nr_to_scan batches of at most
// MIN_LRU_BATCH and ages inside try_to_shrink_lruvec(), should_run_aging() no longer weighs the generations'
// sizes, and a folio shrink_folio_list() rejected is made active only when it would otherwise go back to the
// oldest generation (lru_gen_folio_seq()). Which release between 6.12 and 7.2 took each change was not read (no source here); the
// model is 6.12.118's on every kernel it allows MGLRU on (README).
import { MAX_NR_ZONES } from "../mm/constants";
import { PG_active, PG_reclaim, PG_folio_dirty, PG_folio_writeback, page_flags, set_page_flags, page_order } from "../mm/page";
import { populated_zone, wmark_high, watermark_boost } from "../mm/zone";
import { __zone_watermark_ok } from "../mm/watermark";
import { compact_gap } from "../mm/compaction";
import { mapping_pfn, file_page_ino, file_page_index } from "./inode";
import {
  LRU_INACTIVE_FILE, MIN_NR_GENS, max_seq, min_seq, lru_gen_from_seq, lru_gen_pages, lru_gen_nr_folios, lru_gen_isolate_tail,
  lru_gen_inc_gen_tail, lru_add, lru_pages,
} from "./lru";
import { get_nr_gens, try_to_inc_min_seq, inc_max_seq } from "./lru_gen";
import { sc, zone_ineligible } from "./scan_control";
import { isolated_folios, kept_folios, nr_kept, shrink_folio_list, stat_nr_unqueued_dirty } from "./shrink_folio";
import { wakeup_flusher_threads_vmscan } from "./writeback";
import { st_add, PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSTEAL_KSWAPD, PGSTEAL_DIRECT, PGREFILL } from "./stats";

/** include/linux/mmzone.h: MIN_LRU_BATCH (BITS_PER_LONG) and MAX_LRU_BATCH */
const MIN_LRU_BATCH: u64 = 64;
const MAX_LRU_BATCH: u32 = 4096;
/** include/linux/mmzone.h: DEF_PRIORITY */
const DEF_PRIORITY: i32 = 12;

// fls_long(): the 1-based index of the highest bit set, 0 for 0
@inline function fls_long(x: u64): i32 { return 64 - <i32>clz(x); }

/** set_initial_priority() (lru_gen_age_node() for kswapd, lru_gen_shrink_node()): at DEF_PRIORITY and for at
 *  least MIN_LRU_BATCH pages, the priority at which (inactive file pages >> priority) is about nr_to_reclaim,
 *  clamped to DEF_PRIORITY / 2 .. DEF_PRIORITY. Returns the priority to use. */
export function set_initial_priority(priority: i32, nr_to_reclaim: u64): i32 {
  if (priority != DEF_PRIORITY || nr_to_reclaim < MIN_LRU_BATCH) return priority;
  const p = fls_long(lru_pages(LRU_INACTIVE_FILE)) - 1 - fls_long(nr_to_reclaim - 1);
  return min(max(p, DEF_PRIORITY / 2), DEF_PRIORITY);
}

// should_run_aging() (6.12): whether eviction should wait for a new generation ("completely out of cold folios",
// or at the ideal MIN_NR_GENS + 1 generations with the youngest over a half or the oldest (max_seq - MIN_NR_GENS)
// under a quarter of the pages), and the pages of all generations in nr_to_scan_total
let nr_to_scan_total: u64 = 0;
function should_run_aging(): bool {
  if (min_seq + MIN_NR_GENS > max_seq) { nr_to_scan_total = 0; return true; }
  let old: u64 = 0, young: u64 = 0, total: u64 = 0;
  for (let seq = min_seq; seq <= max_seq; seq++) {
    const gen = lru_gen_from_seq(seq);
    let size: u64 = 0;
    for (let z: u32 = 0; z < MAX_NR_ZONES; z++) size += lru_gen_pages(gen, z);
    total += size;
    if (seq == max_seq) young += size;
    else if (seq + MIN_NR_GENS == max_seq) old += size;
  }
  nr_to_scan_total = total;
  if (min_seq + MIN_NR_GENS < max_seq) return false;
  if (young * MIN_NR_GENS > total) return true;
  if (old * (MIN_NR_GENS + 2) < total) return true;
  return false;
}

// get_nr_to_scan(): the pages to scan at this priority; at DEF_PRIORITY without aging ("try to get away with not
// aging at the default priority"); below it, a lruvec that needs aging ages and is not scanned this time (-1)
function get_nr_to_scan(): i64 {
  const aging = should_run_aging();
  if (!aging || sc.priority == DEF_PRIORITY) return <i64>(nr_to_scan_total >> <u64>sc.priority);
  inc_max_seq();
  return -1;
}

// scan_folios(): the oldest generation, zone by zone from sc->reclaim_idx down and then the zones above it
// ("(sc->reclaim_idx + i) % MAX_NR_ZONES"), each from its tail: a folio of an ineligible zone is promoted to the
// next generation's tail (sort_folio()), every other one isolated; until MIN_LRU_BATCH pages are isolated or
// MAX_LRU_BATCH folios looked at. Counts PGSCAN_* (pages isolated) and PGREFILL (pages sorted). Returns the pages
// looked at, or 0 when nothing was isolated with folios left to look at; the folios isolated are in
// isolated_folios[0, scan_isolated).
let scan_isolated: u32 = 0;
function scan_folios(): u64 {
  scan_isolated = 0;
  if (get_nr_gens() == MIN_NR_GENS) return 0;
  const gen = lru_gen_from_seq(min_seq);
  let remaining = MAX_LRU_BATCH;
  let scanned: u64 = 0, sorted: u64 = 0, isolated: u64 = 0;
  for (let i = MAX_NR_ZONES; i > 0; i--) {
    const z = (sc.reclaim_idx + i) % MAX_NR_ZONES;
    const ineligible = zone_ineligible(z);
    while (lru_gen_nr_folios(gen, z) != 0) {
      if (ineligible) {
        const n = <u64>lru_gen_inc_gen_tail(gen, z);
        scanned += n;
        sorted += n;
      } else {
        const e = lru_gen_isolate_tail(gen, z);
        const ino = file_page_ino(e);
        const n = <u64>1 << page_order(mapping_pfn(ino, file_page_index(e, ino)));
        scanned += n;
        isolated += n;
        unchecked(isolated_folios[scan_isolated++] = e);
      }
      if (--remaining == 0 || isolated >= MIN_LRU_BATCH) break;
    }
    if (remaining == 0 || isolated >= MIN_LRU_BATCH) break;
  }
  st_add(sc.kswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT, <i64>isolated);
  st_add(PGREFILL, <i64>sorted);
  sc.nr_file_taken += isolated;
  // "There might not be eligible folios due to reclaim_idx. Check the remaining to prevent livelock"
  return isolated != 0 || remaining == 0 ? scanned : 0;
}

// evict_folios(): isolate a batch, shrink_folio_list() it, and put back what is kept: a folio reclaim marked while
// dirty or under writeback as shrink_folio_list() left it (activated: the youngest generation); one rejected for
// being active, dirty or under writeback, or on the second pass, made active ("don't add rejected folios to the
// oldest generation"); a clean one retried once ("retry folios that may have missed folio_rotate_reclaimable()").
// Returns the pages scanned (+1 when min_seq moved), 0 when only MIN_NR_GENS generations are left.
function evict_folios(): u64 {
  let scanned = scan_folios();
  if (try_to_inc_min_seq()) scanned += 1;
  if (get_nr_gens() == MIN_NR_GENS) scanned = 0;
  let count = scan_isolated;
  let skip_retry = false;
  while (count != 0) {
    const reclaimed = shrink_folio_list(0, count);
    sc.nr_unqueued_dirty += stat_nr_unqueued_dirty;
    sc.nr_reclaimed += reclaimed;
    // list_for_each_entry_safe_reverse() meets the kept folios in the order shrink_folio_list() met them
    let clean: u32 = 0;
    for (let j: u32 = 0; j < nr_kept; j++) {
      const e = unchecked(kept_folios[j]);
      const ino = file_page_ino(e), first = file_page_index(e, ino);
      const head = mapping_pfn(ino, first);
      const f = page_flags(head);
      const busy = (f & (PG_folio_dirty | PG_folio_writeback)) != 0;
      if (!((f & PG_reclaim) != 0 && busy)) {
        if (skip_retry || (f & PG_active) != 0 || busy) set_page_flags(head, f | PG_active);
        else { unchecked(isolated_folios[clean++] = e); continue; }
      }
      lru_add(ino, first, head, false); // move_folios_to_lru()
    }
    st_add(sc.kswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT, <i64>reclaimed);
    count = clean;
    skip_retry = true;
  }
  return scanned;
}

// should_abort_scan(): enough reclaimed for the request or for compaction; kswapd at order 0 also stops once every
// eligible zone is above its high watermark (boost included) by MIN_LRU_BATCH
function should_abort_scan(): bool {
  if (sc.nr_reclaimed >= max<u64>(sc.nr_to_reclaim, compact_gap(sc.order))) return true;
  if (!sc.kswapd || sc.order != 0) return false;
  for (let z: u32 = 0; z <= sc.reclaim_idx && z < MAX_NR_ZONES; z++) {
    if (!populated_zone(z)) continue;
    const mark = <i64>unchecked(wmark_high[z]) + <i64>unchecked(watermark_boost[z]) + <i64>MIN_LRU_BATCH;
    if (!__zone_watermark_ok(z, 0, mark, sc.reclaim_idx, 0)) return false;
  }
  return true;
}

// try_to_shrink_lruvec(): evict until the scan target is met, nothing more can be scanned, or the scan may stop;
// then wake the flushers if every file folio taken was dirty and not yet queued
function try_to_shrink_lruvec(): void {
  let scanned: u64 = 0;
  while (true) {
    const nr_to_scan = get_nr_to_scan();
    if (nr_to_scan <= 0) break;
    const delta = evict_folios();
    if (delta == 0) break;
    scanned += delta;
    if (scanned >= <u64>nr_to_scan) break;
    if (should_abort_scan()) break;
  }
  // "If too many file cache in the coldest generation can't be evicted due to being dirty, wake up the flusher."
  if (sc.nr_unqueued_dirty != 0 && sc.nr_unqueued_dirty == sc.nr_file_taken) wakeup_flusher_threads_vmscan();
}

/** lru_gen_shrink_node() for root reclaim (the only memcg is the root: shrink_many() runs shrink_one() once),
 *  sc->nr already cleared by shrink_node(). Nothing with !sc->may_writepage ("Unmapped clean folios are already
 *  prioritized"): kswapd's boosted reclaim does no MGLRU reclaim at all. Returns the pages reclaimed. */
export function lru_gen_shrink_node(): u64 {
  const before = sc.nr_reclaimed;
  if (!sc.may_writepage) return 0;
  sc.priority = set_initial_priority(sc.priority, sc.nr_to_reclaim);
  // kswapd: "sc->nr_reclaimed = 0" so that should_abort_scan() weighs this call's reclaim alone
  if (sc.kswapd) sc.nr_reclaimed = 0;
  try_to_shrink_lruvec();
  if (sc.kswapd) sc.nr_reclaimed += before;
  return sc.nr_reclaimed - before;
}
